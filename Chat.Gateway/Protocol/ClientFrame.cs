namespace Chat.Gateway.Protocol;

/// <summary>The kinds of frame a JSON client sends.</summary>
public enum ClientFrameType
{
    Join,
    Leave,
    Send,
    Ping,
    Typing,
}

/// <summary>The fields of a client frame whose rules depend on the value being a JSON string.</summary>
[Flags]
public enum ClientFrameFields
{
    None = 0,
    Room = 1,
    Text = 2,
    Since = 4,
    RetryOf = 8,
}

/// <summary>
/// One parsed client frame: the string fields as sent (null when absent or not a string), and which fields were
/// present with another JSON type, so that their rule can answer precisely. <c>RetryOf</c> (an addition to
/// PROTOCOL.md) names the id an earlier <c>send</c> of this connection was answered <c>unavailable</c> with.
/// </summary>
public sealed record ClientFrame(ClientFrameType Type, string? Room, string? Text, string? Ref, string? Since, string? RetryOf = null,
    ClientFrameFields NotStrings = ClientFrameFields.None)
{
    /// <summary>Whether <paramref name="field"/> was present with a value that is not a string.</summary>
    public bool IsNotString(ClientFrameFields field) => (NotStrings & field) != 0;
}

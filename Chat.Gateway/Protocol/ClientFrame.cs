namespace Chat.Gateway.Protocol;

/// <summary>The kinds of frame a JSON client sends.</summary>
public enum ClientFrameType
{
    Join,
    Leave,
    Send,
    Ping,
}

/// <summary>
/// One parsed client frame. Fields are the raw strings of the frame; a field that was present with a
/// non-string value is kept as <see cref="ClientFrame.WrongType"/> so that its rule can answer precisely.
/// <c>RetryOf</c> (on <c>send</c>, an addition to PROTOCOL.md) is the id an earlier <c>send</c> of this connection was
/// answered <c>unavailable</c> with, so that the retry goes out under that id instead of as a second message.
/// </summary>
public sealed record ClientFrame(ClientFrameType Type, string? Room, string? Text, string? Ref, string? Since, string? RetryOf = null)
{
    /// <summary>Stands for a field whose JSON value was not a string.</summary>
    public const string WrongType = "\0wrong-type";
}

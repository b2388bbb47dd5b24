using System.Text.Json.Serialization;

namespace Chat.Gateway.Protocol;

// The frames the server sends, one record each, serialised by GatewayJsonContext. "type" comes first.

public sealed record WelcomeFrame(string User, string ConnectionId, string Node)
{
    [JsonPropertyOrder(-1)] public string Type => "welcome";
}

public sealed record JoinedFrame(string Room, IReadOnlyList<MessageView> History, IReadOnlyList<string> Members)
{
    [JsonPropertyOrder(-1)] public string Type => "joined";

    /// <summary>Present (and <see langword="false"/>) only when the history service could not be reached.</summary>
    public bool? HistoryComplete { get; init; }
}

public sealed record LeftFrame(string Room)
{
    [JsonPropertyOrder(-1)] public string Type => "left";
}

public sealed record AckFrame(string? Ref, Guid Id, DateTimeOffset SentAt)
{
    [JsonPropertyOrder(-1)] public string Type => "ack";
}

public sealed record MessageFrame(Guid Id, string Room, string User, string Text, DateTimeOffset SentAt)
{
    [JsonPropertyOrder(-1)] public string Type => "message";
}

public sealed record ErrorFrame(string Code, string Message, string? Ref = null)
{
    [JsonPropertyOrder(-1)] public string Type => "error";

    /// <summary>
    /// On <c>unavailable</c> only (an addition to PROTOCOL.md): the id the message was given. The broker may still
    /// take it after the timeout, and then it arrives, live and in history, under this id; a retry that names it in
    /// <c>retryOf</c> is published under it again, so the room gets the message once either way.
    /// </summary>
    public Guid? Id { get; init; }
}

public sealed record PresenceFrame(string Room, string User, string Status)
{
    public const string Joined = "joined";
    public const string Left = "left";

    [JsonPropertyOrder(-1)] public string Type => "presence";
}

public sealed record TypingFrame(string Room, string User)
{
    [JsonPropertyOrder(-1)] public string Type => "typing";
}

public sealed record PongFrame
{
    [JsonPropertyOrder(-1)] public string Type => "pong";
}

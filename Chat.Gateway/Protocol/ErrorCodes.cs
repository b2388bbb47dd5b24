namespace Chat.Gateway.Protocol;

/// <summary>The error codes of PROTOCOL.md.</summary>
public static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string UnknownType = "unknown_type";
    public const string InvalidRoom = "invalid_room";
    public const string InvalidText = "invalid_text";
    public const string InvalidSince = "invalid_since";
    public const string NotJoined = "not_joined";
    public const string TooManyRooms = "too_many_rooms";
    public const string RateLimited = "rate_limited";
    public const string UnsupportedFrame = "unsupported_frame";
    public const string Unavailable = "unavailable";

    /// <summary>An addition to PROTOCOL.md: a <c>send</c> whose <c>retryOf</c> is not a message id.</summary>
    public const string InvalidRetry = "invalid_retry";
}

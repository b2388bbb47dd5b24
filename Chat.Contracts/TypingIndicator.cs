namespace Chat.Contracts;

/// <summary>
/// A user is typing in a room: published to the <c>Chat.Contracts:TypingIndicator</c> fanout (non-persistent, never
/// stored, best effort) and shown by every gateway instance to the room's other users.
/// </summary>
public sealed record TypingIndicator(string Room, string User, string Node);

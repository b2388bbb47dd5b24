namespace Chat.Contracts;

/// <summary>
/// The one event of the platform: a chat message that a gateway accepted. Published to the
/// <c>Chat.Contracts:ChatMessage</c> fanout exchange; every gateway and the history service consume it.
/// </summary>
/// <param name="Id">A UUIDv7 made by the accepting gateway; the order of ids is the order of messages.</param>
/// <param name="Room">The room, see <see cref="ChatRules.IsValidRoom"/>.</param>
/// <param name="User">The sender, see <see cref="ChatRules.IsValidUser"/>.</param>
/// <param name="Text">The text, see <see cref="ChatRules.ValidateText"/>.</param>
/// <param name="SentAt">When the gateway accepted the message (UTC).</param>
/// <param name="Node">The gateway instance that accepted it (diagnostics only).</param>
public sealed record ChatMessage(Guid Id, string Room, string User, string Text, DateTimeOffset SentAt, string? Node = null);

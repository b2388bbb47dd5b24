namespace Chat.Contracts;

/// <summary>A stored or live message as clients see it: PROTOCOL.md's message object without <c>type</c>.</summary>
public sealed record MessageView(Guid Id, string Room, string User, string Text, DateTimeOffset SentAt)
{
    public static MessageView From(ChatMessage message) => new(message.Id, message.Room, message.User, message.Text, message.SentAt);
}

/// <summary>The body of <c>GET /rooms/{room}/messages</c>: messages in ascending order of id.</summary>
public sealed record MessagePage(string Room, IReadOnlyList<MessageView> Messages);

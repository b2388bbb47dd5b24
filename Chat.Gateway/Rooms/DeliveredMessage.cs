using System.Text;
using System.Text.Json;
using Chat.Gateway.Connections;
using Chat.Gateway.Protocol;

namespace Chat.Gateway.Rooms;

/// <summary>
/// A message on its way to the sockets of one gateway: serialised once per protocol, on first use, and the
/// same bytes shared by every recipient.
/// </summary>
public sealed class DeliveredMessage(ChatMessage message)
{
    public ChatMessage Message { get; } = message;

    public Guid Id => Message.Id;

    /// <summary>The frame for a connection of the given kind.</summary>
    public OutboundFrame FrameFor(ConnectionKind kind) => new(kind == ConnectionKind.Json ? Json : PlainText, Message.SentAt);

    /// <summary><c>{"type":"message",…}</c></summary>
    public byte[] Json => field ??= JsonSerializer.SerializeToUtf8Bytes(
        new MessageFrame(Message.Id, Message.Room, Message.User, Message.Text, Message.SentAt),
        GatewayJsonContext.Default.MessageFrame);

    /// <summary><c>user: text</c>, the 2013 client's line.</summary>
    public byte[] PlainText => field ??= Encoding.UTF8.GetBytes($"{Message.User}: {Message.Text}");
}

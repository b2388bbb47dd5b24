using System.Diagnostics;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Rooms;
using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This gateway's share of the fanout: every <see cref="ChatMessage"/> goes into the recent buffer and, serialised
/// once, into the outbox of every local member of its room.
/// </summary>
public sealed class ChatMessageConsumer(RoomRegistry rooms, RecentMessageBuffer recent) : IConsumer<ChatMessage>
{
    public Task Consume(ConsumeContext<ChatMessage> context)
    {
        var message = context.Message;
        using var activity = GatewayTelemetry.Source.StartActivity("chat deliver", ActivityKind.Internal);
        activity?.SetTag("chat.room", message.Room);
        activity?.SetTag("messaging.message.id", message.Id.ToString());

        recent.Add(MessageView.From(message));
        var recipients = rooms.Deliver(new DeliveredMessage(message));
        activity?.SetTag("chat.recipients", recipients);
        return Task.CompletedTask;
    }
}

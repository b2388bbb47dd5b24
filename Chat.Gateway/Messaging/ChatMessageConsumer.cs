using System.Diagnostics;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Rooms;
using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This gateway's share of the fanout: every <see cref="ChatMessage"/> goes into the recent buffer and, serialised
/// once, into the outbox of every local member of its room. Its span (<see cref="GatewayTelemetry.DeliverActivityName"/>)
/// is a child of MassTransit's consume span, so each replica's delivery is part of the message's trace; the socket
/// writes that follow are measured by <c>chat.gateway.delivery.latency</c>.
/// </summary>
public sealed class ChatMessageConsumer(RoomRegistry rooms, RecentMessageBuffer recent) : IConsumer<ChatMessage>
{
    public Task Consume(ConsumeContext<ChatMessage> context)
    {
        var message = context.Message;
        using var activity = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.DeliverActivityName, ActivityKind.Internal);
        activity?.SetTag(GatewayTelemetry.RoomAttribute, message.Room);
        activity?.SetTag(GatewayTelemetry.MessageIdAttribute, message.Id.ToString());

        recent.Add(MessageView.From(message));
        var recipients = rooms.Deliver(new DeliveredMessage(message));
        activity?.SetTag(GatewayTelemetry.RecipientsAttribute, recipients);
        return Task.CompletedTask;
    }
}

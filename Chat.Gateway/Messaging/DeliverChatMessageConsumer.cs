using System.Diagnostics;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Rooms;
using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This instance's share of the fanout: every <see cref="ChatMessage"/>, one at a time in the broker's order, goes to
/// the recent buffer and, serialised once, to the outbox of every local member of its room.
/// </summary>
public sealed partial class DeliverChatMessageConsumer(RoomRegistry rooms, RecentMessageBuffer recent, ILogger<DeliverChatMessageConsumer> logger)
    : IConsumer<ChatMessage>
{
    public Task Consume(ConsumeContext<ChatMessage> context)
    {
        var message = context.Message;
        using var activity = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.DeliverActivityName);
        if (message.Id == Guid.Empty || string.IsNullOrEmpty(message.Room) || message.User is null || message.Text is null)
        {
            // Nobody can show it; history, which has its own copy, decides on its own.
            activity?.SetStatus(ActivityStatusCode.Error, "not a ChatMessage");
            Log.Unreadable(logger, context.MessageId, "id, room, user or text missing");
            return Task.CompletedTask;
        }

        var traced = activity is { IsAllDataRequested: true } ? activity : null; // under sampling most spans only carry the context on
        traced?.SetTag(GatewayTelemetry.RoomAttribute, message.Room);
        traced?.SetTag(GatewayTelemetry.MessageIdAttribute, message.Id.ToString());

        // A copy the buffer recognises (a redelivery after a connection loss, a publish sent again): its recipients have it.
        var recipients = recent.Add(MessageView.From(message)) ? rooms.Deliver(new DeliveredMessage(message)) : 0;
        traced?.SetTag(GatewayTelemetry.RecipientsAttribute, recipients);
        return Task.CompletedTask;
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Dropped message {MessageId} from the fanout: {Problem}")]
        public static partial void Unreadable(ILogger logger, Guid? messageId, string problem);
    }
}

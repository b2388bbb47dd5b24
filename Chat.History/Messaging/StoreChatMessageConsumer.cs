using System.Diagnostics;
using Chat.History.Diagnostics;
using Chat.History.Storage;
using MassTransit;

namespace Chat.History.Messaging;

/// <summary>
/// Stores each <see cref="ChatMessage"/> once. Returning from <see cref="Consume"/> acknowledges the message to the
/// broker, which happens only after its row is committed; a redelivery is an insert that ignores the conflict.
/// </summary>
public sealed partial class StoreChatMessageConsumer(BatchingMessageWriter writer, HistoryTelemetry telemetry, ILogger<StoreChatMessageConsumer> logger)
    : IConsumer<ChatMessage>
{
    public async Task Consume(ConsumeContext<ChatMessage> context)
    {
        var message = context.Message;
        if (Validate(message) is { } reason)
        {
            telemetry.MessagesInvalid.Add(1);
            Log.Invalid(logger, context.MessageId, reason);
            throw new InvalidChatMessageException(reason);
        }

        // A child of MassTransit's consume span; its duration is the wait for the group commit, whose insert is its child.
        using var activity = HistoryTelemetry.Source.StartActivity(HistoryTelemetry.StoreActivityName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true }) // under sampling, most spans only carry the trace context on
        {
            activity.SetTag(HistoryTelemetry.RoomAttribute, message.Room);
            activity.SetTag(HistoryTelemetry.MessageIdAttribute, message.Id.ToString());
        }

        await writer.WriteAsync(message, context.ReceiveContext.Redelivered, context.CancellationToken);
    }

    /// <summary>The reason an event cannot be stored, or <see langword="null"/>.</summary>
    internal static string? Validate(ChatMessage? message)
    {
        if (message is null)
        {
            return "the event has no body";
        }

        if (message.Id.Version != 7)
        {
            return "the id is not a UUIDv7";
        }

        return ChatRules.ValidateRoom(message.Room)
            ?? (message.User is null ? "user is missing" : ChatRules.ValidateUser(message.User))
            ?? ChatRules.ValidateText(message.Text);
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Event {TransportMessageId} refused and moved to the error queue: {Reason}")]
        public static partial void Invalid(ILogger logger, Guid? transportMessageId, string reason);
    }
}

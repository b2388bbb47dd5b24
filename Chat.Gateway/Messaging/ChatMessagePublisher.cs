using System.Diagnostics;
using Chat.Gateway.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Messaging;

/// <summary>
/// Publishes accepted messages as <see cref="ChatMessage"/> events, with publisher confirms: a completed publish means
/// the broker has the message; one not confirmed within <see cref="GatewayOptions.PublishTimeout"/> is reported as
/// unavailable.
/// </summary>
/// <remarks>
/// The events are published non-persistent. Their durable copy is history's: <c>chat-history</c> is a quorum queue,
/// which writes every message to its log before the broker confirms it, whatever its delivery mode. Persistent
/// messages would also be written to disk in each gateway's own queue, for live deliveries that are worth nothing
/// after a broker restart (clients recover from history with <c>since</c>): measured, that disk work cost 38 % of the
/// accepted rate. <c>FaultTests.Messages_acknowledged_while_history_is_down_survive_a_broker_restart</c> holds it.
/// </remarks>
public sealed partial class ChatMessagePublisher(
    IBus bus,
    MessageIdGenerator ids,
    GatewayNode node,
    GatewayTelemetry telemetry,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    ILogger<ChatMessagePublisher> logger)
{
    readonly TimeSpan _timeout = options.Value.PublishTimeout;

    /// <summary>
    /// Accepts a message: gives it its id (UUIDv7, monotonic within this process) and its accept time. Called in
    /// the connection's receive loop, so ids follow the order in which frames arrived.
    /// </summary>
    public ChatMessage Accept(string room, string user, string text) =>
        new(ids.NewId(), room, user, text, time.GetUtcNow(), node.Id);

    /// <summary>
    /// Publishes and waits for the broker's confirm; returns <see langword="false"/> when it did not come in time.
    /// Deliberately takes no connection token: a publish in flight is finished even when its sender goes away.
    /// </summary>
    public async Task<bool> PublishAsync(ChatMessage message)
    {
        var activity = Activity.Current; // the send span (ChatSession.StartSendActivity)
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GatewayTelemetry.MessageIdAttribute, message.Id.ToString()); // only on a recorded span: under sampling most are not
        }

        using var timeout = new CancellationTokenSource(_timeout, time);
        var started = time.GetTimestamp();
        try
        {
            // The chat id is also MassTransit's message id, so every span of the message (MassTransit's included)
            // carries the same messaging.message.id, and a broker-level redelivery is recognisably the same message.
            await bus.Publish(message, context =>
            {
                context.MessageId = message.Id;
                context.Durable = false; // see the remarks: the quorum queue persists it
            }, timeout.Token);
            telemetry.PublishDuration.Record(time.GetElapsedTime(started).TotalSeconds);
            telemetry.MessagesAccepted.Add(1);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException
            or RabbitMQ.Client.Exceptions.RabbitMQClientException or System.IO.IOException)
        {
            var errorType = ex.GetType().FullName;
            telemetry.PublishDuration.Record(time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>(GatewayTelemetry.ErrorTypeAttribute, errorType));
            activity?.SetTag(GatewayTelemetry.ErrorTypeAttribute, errorType);
            activity?.SetStatus(ActivityStatusCode.Error, "publish not confirmed");
            Log.PublishFailed(logger, message.Id, message.Room, ex.GetType().Name, ex.Message);
            return false;
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Publish of message {MessageId} to room {Room} was not confirmed: {ExceptionType}: {Reason}")]
        public static partial void PublishFailed(ILogger logger, Guid messageId, string room, string exceptionType, string reason);
    }
}

using System.Diagnostics;
using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Messaging;

/// <summary>
/// Accepts messages and publishes them as <see cref="ChatMessage"/> events with publisher confirms, each under its own
/// <see cref="GatewayTelemetry.SendActivityName"/> span: a completed publish means the broker has the message; one not
/// confirmed within <see cref="GatewayOptions.PublishTimeout"/> is reported as unavailable.
/// </summary>
public sealed partial class ChatMessagePublisher(
    IBus bus,
    MessageIdGenerator ids,
    GatewayNode node,
    GatewayTelemetry telemetry,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    ILogger<ChatMessagePublisher> logger)
{
    /// <summary>How long a publish not confirmed in time may still wait for its confirm before MassTransit gives it up.</summary>
    public static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(30);

    readonly TimeSpan _timeout = options.Value.PublishTimeout;
    readonly LogThrottle _failures = new(TimeSpan.FromSeconds(1), time);

    /// <summary>Gives a message its id (UUIDv7, monotonic within this process) and its accept time.</summary>
    public ChatMessage Accept(string room, string user, string text) =>
        new(ids.NewId(), room, user, text, time.GetUtcNow(), node.Id);

    /// <summary>
    /// Publishes and waits for the broker's confirm; <see langword="false"/> when it did not come in time. The publish is
    /// not cancelled then: the broker may still take it (the client can retry under its id), and MassTransit gives it up
    /// only after <see cref="AbandonAfter"/>. Completes <paramref name="entered"/> once the message has a channel, from
    /// where the broker takes publishes in order. Takes no connection token: a publish outlives its sender.
    /// </summary>
    public async Task<bool> PublishAsync(ChatMessage message, ChatConnection sender, TaskCompletionSource entered)
    {
        using var activity = StartSendActivity(message, sender);
        var started = time.GetTimestamp();
        var abandon = new CancellationTokenSource(AbandonAfter, time);
        try
        {
            // The chat id is MassTransit's message id too: every span of the message carries the same messaging.message.id.
            var publish = bus.Publish(message, context =>
            {
                context.MessageId = message.Id;
                context.Durable = false; // history's quorum queue is the durable copy
                entered.TrySetResult();
            }, abandon.Token);
            _ = publish.ContinueWith(static (done, cts) =>
            {
                _ = done.Exception; // a publish given up after its answer was logged as not confirmed
                ((CancellationTokenSource)cts!).Dispose();
            }, abandon, TaskScheduler.Default);
            await publish.WaitAsync(_timeout, time);
            telemetry.PublishDuration.Record(time.GetElapsedTime(started).TotalSeconds);
            telemetry.MessagesAccepted.Add(1);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException
            or RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
        {
            var errorType = ex.GetType().FullName;
            telemetry.PublishDuration.Record(time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>(GatewayTelemetry.ErrorTypeAttribute, errorType));
            activity?.SetTag(GatewayTelemetry.ErrorTypeAttribute, errorType);
            activity?.SetStatus(ActivityStatusCode.Error, "publish not confirmed");
            if (_failures.ShouldLog(out var suppressed))
            {
                Log.PublishFailed(logger, message.Id, message.Room, ex.GetType().Name, ex.Message, suppressed);
            }

            return false;
        }
        finally
        {
            entered.TrySetResult(); // failed before it had a channel: the next publish need not wait for it
        }
    }

    /// <summary>
    /// The root of the message's trace, not a child of the connection-long upgrade request (every message would pile
    /// into one endless trace); a link keeps the way back to it. Runs inside an async method, so the caller's current
    /// activity is untouched.
    /// </summary>
    static Activity? StartSendActivity(ChatMessage message, ChatConnection sender)
    {
        var request = Activity.Current;
        Activity.Current = null;
        var activity = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.SendActivityName, ActivityKind.Server, parentContext: default,
            links: request is null ? null : [new ActivityLink(request.Context)]);
        if (activity is { IsAllDataRequested: true }) // under sampling most spans only carry the context on
        {
            activity.SetTag(GatewayTelemetry.RoomAttribute, message.Room);
            activity.SetTag(GatewayTelemetry.MessageIdAttribute, message.Id.ToString());
            activity.SetTag(GatewayTelemetry.ConnectionIdAttribute, sender.Id);
            activity.SetTag(GatewayTelemetry.ProtocolAttribute, sender.Kind == ConnectionKind.Json ? "json" : "text");
        }

        return activity;
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Publish of message {MessageId} to room {Room} was not confirmed: {ExceptionType}: {Reason} ({Suppressed} more since the last report)")]
        public static partial void PublishFailed(ILogger logger, Guid messageId, string room, string exceptionType, string reason, long suppressed);
    }
}

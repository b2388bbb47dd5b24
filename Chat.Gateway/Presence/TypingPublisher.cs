using Chat.Gateway.Diagnostics;
using MassTransit;

namespace Chat.Gateway.Presence;

/// <summary>Publishes typing indicators: non-persistent, not awaited, best effort (PROTOCOL.md).</summary>
public sealed partial class TypingPublisher(IBus bus, GatewayNode node, ILogger<TypingPublisher> logger)
{
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);

    public void Publish(string room, string user) => _ = PublishAsync(new TypingIndicator(room, user, node.Id));

    async Task PublishAsync(TypingIndicator typing)
    {
        try
        {
            using var timeout = new CancellationTokenSource(PublishTimeout);
            await bus.Publish(typing, context => context.Durable = false, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException
            or RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
        {
            Log.PublishFailed(logger, typing.Room, ex.Message);
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "A typing indicator for room {Room} was not published: {Reason}")]
        public static partial void PublishFailed(ILogger logger, string room, string reason);
    }
}

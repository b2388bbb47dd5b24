using System.Threading.Channels;
using MassTransit;

namespace Chat.Gateway.Presence;

/// <summary>
/// Publishes this instance's <see cref="PresenceUpdate"/>s one after the other, in the order they were made: each waits
/// until the one before has its channel (which the broker reads in order), not for its confirm. Non-persistent, best
/// effort: a lost update is found by the next heartbeat's digest and repaired with a snapshot.
/// </summary>
public sealed partial class PresencePublisher(IBus bus, ILogger<PresencePublisher> logger) : BackgroundService
{
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    readonly Channel<PresenceUpdate> _updates = Channel.CreateUnbounded<PresenceUpdate>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues an update; never blocks (callers hold the presence lock).</summary>
    public void Enqueue(PresenceUpdate update) => _updates.Writer.TryWrite(update);

    /// <summary>Publishes what is queued, then stops.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _updates.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in _updates.Reader.ReadAllAsync(CancellationToken.None))
        {
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = PublishAsync(update, entered);
            await entered.Task;
        }
    }

    async Task PublishAsync(PresenceUpdate update, TaskCompletionSource entered)
    {
        try
        {
            using var timeout = new CancellationTokenSource(PublishTimeout);
            await bus.Publish(update, context =>
            {
                context.Durable = false;
                entered.TrySetResult();
            }, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException
            or RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
        {
            Log.PublishFailed(logger, update.Kind, ex.Message);
        }
        finally
        {
            entered.TrySetResult();
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A presence update ({Kind}) was not published (the next heartbeat repairs it): {Reason}")]
        public static partial void PublishFailed(ILogger logger, string kind, string reason);
    }
}

using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using BrokerRefusal = RabbitMQ.Client.Exceptions.PublishException;

namespace Chat.Gateway.Messaging;

/// <summary>
/// Reopens the publishing bus's connection when the broker refuses a publish (a nack, not a return), at most once per
/// <see cref="MinimumInterval"/>. RabbitMQ 3.10 refuses every publish of a channel to a quorum queue for the channel's
/// life when its first publish there found the queue's recorded leader on a node that is down (rabbit_fifo_client keeps
/// its state after <c>{badrpc, nodedown}</c>): a channel opened during a failover's election. Only a new channel asks
/// again, and MassTransit keeps its publishing channel across nacks; closing the connection gives it new ones.
/// RabbitMQ 3.12.5 removed that check; Debian 12 serves 3.10.8. docs/reliability.md has the reproduction.
/// </summary>
public sealed partial class RefusedPublishRecovery(IServiceProvider services, TimeProvider time, ILogger<RefusedPublishRecovery> logger) : IPublishObserver
{
    /// <summary>Time for the new connection's channels to publish (and the failover to settle) before another reopening.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(2);

    long _lastReopened = long.MinValue;

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class
    {
        if (IsRefusal(exception) && TryClaim())
        {
            _ = ReopenAsync(exception);
        }

        return Task.CompletedTask;
    }

    /// <summary>A broker nack, however MassTransit wrapped it.</summary>
    public static bool IsRefusal(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BrokerRefusal { IsReturn: false })
            {
                return true;
            }
        }

        return false;
    }

    bool TryClaim()
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastReopened);
        return (last == long.MinValue || time.GetElapsedTime(last, now) >= MinimumInterval)
            && Interlocked.CompareExchange(ref _lastReopened, now, last) == last;
    }

    async Task ReopenAsync(Exception refusal)
    {
        try
        {
            // The publishing bus is the default one (IBus); IFanoutBus publishes nothing.
            var host = (IRabbitMqHostConfiguration)services.GetRequiredService<Bind<IBus, IBusInstance>>().Value.HostConfiguration;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
            await host.ConnectionContextSupervisor.Send(Pipe.ExecuteAsync<ConnectionContext>(async connection =>
            {
                Log.Reopening(logger, connection.Description, refusal.GetBaseException().Message);
                // Any shutdown of the connection ends MassTransit's context; the next publish or receive opens another.
                await connection.Connection.CloseAsync(RabbitMQ.Client.Constants.ReplySuccess, "reopening: the broker refused a publish",
                    TimeSpan.FromSeconds(5), abort: false, timeout.Token);
            }), timeout.Token);
        }
        catch (Exception ex)
        {
            // Nobody awaits this: whatever failed is logged here. The connection gone already or the broker away is the
            // usual reason, and MassTransit reconnects by itself then.
            Log.ReopenFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The broker refused a publish ({Reason}): reopening the publishing connection {Connection}")]
        public static partial void Reopening(ILogger logger, string connection, string reason);

        [LoggerMessage(2, LogLevel.Information, "The publishing connection was not reopened: {ExceptionType}: {Reason}")]
        public static partial void ReopenFailed(ILogger logger, string exceptionType, string reason);
    }
}

using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// Restarts the bus when this instance's fanout queue has been missing for a while although the broker answers.
/// MassTransit normally reconnects its receive endpoints after a broker restart by itself, but it has been seen not to
/// (MassTransit issues #2072, #5692, #6095), and the fault tests caught it here too: a gateway that publishes fine but
/// hears nothing. Restarting the bus (supported in MassTransit 8) declares and consumes the queue again.
/// </summary>
public sealed partial class FanoutWatchdog(FanoutQueue queue, IBusControl bus, TimeProvider time, ILogger<FanoutWatchdog> logger) : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Checks in a row without a consumer (while the broker answers) before the bus is restarted.</summary>
    const int Tolerance = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var missing = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var (consumers, _) = await queue.GetConsumerCountAsync(stoppingToken);
            missing = consumers == 0 ? missing + 1 : 0; // unknown (broker unreachable): nothing a restart could fix
            if (missing < Tolerance)
            {
                continue;
            }

            Log.Restarting(logger, queue.Name, Tolerance * Interval.TotalSeconds);
            try
            {
                await bus.StopAsync(stoppingToken);
                await bus.StartAsync(stoppingToken);
                Log.Restarted(logger, queue.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.RestartFailed(logger, queue.Name, ex);
            }

            missing = 0;
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "The fanout queue {Queue} has been missing for {Seconds} s while the broker answers; restarting the bus")]
        public static partial void Restarting(ILogger logger, string queue, double seconds);

        [LoggerMessage(2, LogLevel.Information, "The bus restarted; the fanout queue {Queue} is consumed again")]
        public static partial void Restarted(ILogger logger, string queue);

        [LoggerMessage(3, LogLevel.Error, "Restarting the bus for the fanout queue {Queue} failed; the next check tries again")]
        public static partial void RestartFailed(ILogger logger, string queue, Exception exception);
    }
}

namespace Chat.Gateway.Presence;

/// <summary>Starts presence once the bus runs, beats every <see cref="PresenceTracker.HeartbeatInterval"/>, and says goodbye on stop.</summary>
public sealed class PresenceHeartbeat(PresenceTracker tracker, TimeProvider time) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        tracker.Start();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PresenceTracker.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                tracker.Beat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        tracker.Stop();
        await base.StopAsync(cancellationToken);
    }
}

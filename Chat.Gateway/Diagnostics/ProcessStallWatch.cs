namespace Chat.Gateway.Diagnostics;

/// <summary>
/// Notices when this process itself did not run on time (a long GC pause, a starved thread pool, a stopped process), so
/// that a socket write that waited through it is not blamed on the client: it ticks every <see cref="Period"/>, and a
/// late tick marks the end of a stall from which clients get their full timeout again.
/// </summary>
public sealed class ProcessStallWatch(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    /// <summary>A tick this late means the process stalled.</summary>
    static readonly TimeSpan Late = Period * 5;

    long _lastTick = time.GetTimestamp();
    long _lastStallEnded = time.GetTimestamp();

    /// <summary>
    /// How long the process has run on time since <paramref name="since"/> (a timestamp): zero while it has not ticked
    /// lately, else the time since <paramref name="since"/> or the end of the last stall, whichever is later.
    /// </summary>
    public TimeSpan RunningTimeSince(long since)
    {
        if (time.GetElapsedTime(Volatile.Read(ref _lastTick)) > Late)
        {
            return TimeSpan.Zero; // stalling now, or resumed and not ticked yet
        }

        return time.GetElapsedTime(Math.Max(since, Volatile.Read(ref _lastStallEnded)));
    }

    /// <summary>One tick: records a stall when it comes late.</summary>
    internal void Tick()
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(Volatile.Read(ref _lastTick), now) > Late)
        {
            Volatile.Write(ref _lastStallEnded, now);
        }

        Volatile.Write(ref _lastTick, now);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

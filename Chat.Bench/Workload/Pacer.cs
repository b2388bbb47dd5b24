namespace Chat.Bench.Workload;

/// <summary>
/// The one pacer of a paced round: a loop on a thread of its own that hands every send to its client at the time the
/// <see cref="PacedSchedule"/> says, whatever happened to the earlier ones (open loop: it never waits for a send to be
/// written or answered). It sleeps about a millisecond while nothing is due, so thousands of clients need no timer
/// each. A send handed out late keeps its scheduled time, which is what its latency is measured from.
/// </summary>
public sealed class Pacer(PacedSchedule schedule, TimeProvider clock, Action<TimeSpan>? sleep = null)
{
    /// <summary>Hands client <paramref name="client"/>'s message <paramref name="sequence"/>, due at <paramref name="scheduled"/>, to its sender; must not block.</summary>
    public delegate void Dispatch(int client, int sequence, long scheduled);

    static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    readonly Action<TimeSpan> _sleep = sleep ?? Thread.Sleep;
    long _dispatched;

    /// <summary>How late each send was handed out: the pacer's own lag behind the schedule.</summary>
    public ScheduleLag Lag { get; } = new();

    /// <summary>The scheduling priority the pacer's thread ran at (<see cref="PacerThreadPriority"/>).</summary>
    public string Priority { get; private set; } = "unchanged";

    /// <summary>Sends handed out so far.</summary>
    public long Dispatched => Interlocked.Read(ref _dispatched);

    /// <summary>Runs <see cref="Run"/> on a dedicated thread, so the thread pool's load cannot delay it.</summary>
    public Task RunAsync(long start, Dispatch dispatch, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Priority = PacerThreadPriority.TryRaise();
                Run(start, dispatch, cancellationToken);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "bench pacer",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Dispatches every send of the schedule at its time from <paramref name="start"/> (a timestamp of the clock), on this thread.</summary>
    public void Run(long start, Dispatch dispatch, CancellationToken cancellationToken)
    {
        var frequency = clock.TimestampFrequency;
        for (long next = 0; next < schedule.Count && !cancellationToken.IsCancellationRequested;)
        {
            var due = start + schedule.Offset(next, frequency);
            var now = clock.GetTimestamp();
            if (due > now)
            {
                _sleep(Tick);
                continue;
            }

            var (client, sequence) = schedule.At(next);
            Lag.Record(due, now);
            dispatch(client, sequence, due);
            next++;
            Interlocked.Exchange(ref _dispatched, next);
        }
    }
}

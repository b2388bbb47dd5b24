using HdrHistogram;

namespace Chat.Bench.Workload;

/// <summary>
/// How late the sends of a paced round went out behind their schedule: when the pacer handed each out, or when its send
/// call started (which adds the load generator's threads and the client's own earlier writes). A large figure means
/// the bench did not keep its schedule; the latencies stay honest, as they are measured from the scheduled time.
/// Safe to call from several threads.
/// </summary>
public sealed class ScheduleLag
{
    /// <summary>A p99 above this (ms) means the load generator did not keep its schedule; the report says so.</summary>
    public const double BehindScheduleMilliseconds = 5;

    readonly Lock _gate = new();
    readonly LongHistogram _micros = new(DeliveryTracker.HighestLatencyMicroseconds, 3);

    /// <summary>Records one send, both times <see cref="System.Diagnostics.Stopwatch"/> timestamps.</summary>
    public void Record(long scheduled, long now)
    {
        var micros = Math.Clamp((now - scheduled) * 1_000_000 / System.Diagnostics.Stopwatch.Frequency, 0, DeliveryTracker.HighestLatencyMicroseconds);
        lock (_gate)
        {
            _micros.RecordValue(micros);
        }
    }

    public LatencySummary Summary()
    {
        lock (_gate)
        {
            return LatencySummary.From(_micros);
        }
    }
}

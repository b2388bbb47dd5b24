using HdrHistogram;

namespace Chat.Bench.Workload;

/// <summary>
/// How late the sends of a paced round went out: from each message's scheduled time to the start of its send call.
/// It covers the pacer and the load generator's own threads; a large figure means the bench did not keep its schedule
/// (the latencies stay honest, as they are measured from the scheduled time). Safe to call from several threads.
/// </summary>
public sealed class ScheduleLag
{
    readonly Lock _gate = new();
    readonly LongHistogram _micros = new(DeliveryTracker.HighestLatencyMicroseconds, 3);

    public void Record(long scheduled, long now)
    {
        var micros = Math.Clamp(TimeProvider.System.GetElapsedTime(scheduled, now).Ticks / TimeSpan.TicksPerMicrosecond, 0, DeliveryTracker.HighestLatencyMicroseconds);
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

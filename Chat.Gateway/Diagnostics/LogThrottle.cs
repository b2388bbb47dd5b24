namespace Chat.Gateway.Diagnostics;

/// <summary>
/// Lets one log entry of a kind through per interval and counts the rest, so a fault that hits every message (a broker
/// outage at thousands of sends a second) writes a line a second, not thousands; the metrics still count each one.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider time)
{
    long _next;
    long _suppressed;

    /// <summary><see langword="true"/> when this one should be logged, with how many were left out since the last.</summary>
    public bool ShouldLog(out long suppressed)
    {
        var now = time.GetTimestamp();
        var next = Interlocked.Read(ref _next);
        if (now >= next && Interlocked.CompareExchange(ref _next, now + (long)(interval.TotalSeconds * time.TimestampFrequency), next) == next)
        {
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }

        Interlocked.Increment(ref _suppressed);
        suppressed = 0;
        return false;
    }
}

using HdrHistogram;

namespace Chat.Bench.Workload;

/// <summary>End-to-end latency percentiles, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50, double P90, double P99, double Max)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0);

    /// <summary>From a histogram recorded in microseconds.</summary>
    public static LatencySummary From(HistogramBase microseconds) => microseconds.TotalCount == 0
        ? Empty
        : new(microseconds.TotalCount,
            microseconds.GetValueAtPercentile(50) / 1000.0,
            microseconds.GetValueAtPercentile(90) / 1000.0,
            microseconds.GetValueAtPercentile(99) / 1000.0,
            microseconds.GetMaxValue() / 1000.0);

    /// <summary>The median of each percentile over repetitions.</summary>
    public static LatencySummary Median(IReadOnlyList<LatencySummary> rounds) => rounds.Count == 0
        ? Empty
        : new((long)Statistics.Median(rounds.Select(r => (double)r.Count)),
            Statistics.Median(rounds.Select(r => r.P50)),
            Statistics.Median(rounds.Select(r => r.P90)),
            Statistics.Median(rounds.Select(r => r.P99)),
            Statistics.Median(rounds.Select(r => r.Max)));
}

/// <summary>Small statistics helpers.</summary>
public static class Statistics
{
    /// <summary>The median (the mean of the two middle values for an even count); 0 for none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

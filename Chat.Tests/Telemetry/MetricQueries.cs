using Chat.Tests.Infrastructure;

namespace Chat.Tests.Telemetry;

/// <summary>Reads exported metrics the way a dashboard does: the latest cumulative value of one series of one instance.</summary>
static class MetricQueries
{
    /// <summary>A series: a metric of one service instance, optionally narrowed by its attributes.</summary>
    public static Func<ExportedMetricPoint, bool> Series(string instance, string name, Func<IReadOnlyDictionary<string, object?>, bool>? attributes = null) =>
        p => p.Source.ServiceInstance == instance && p.Name == name && (attributes is null || attributes(p.Attributes));

    /// <summary>
    /// The series' value as of now: waits for the instance's first export collected after this call (every export
    /// carries every series that has ever been recorded), and reads the series from it; 0 when it has none yet.
    /// </summary>
    public static async Task<double> CurrentValueAsync(this OtlpReceiver otlp, string instance, Func<ExportedMetricPoint, bool> series)
    {
        var now = DateTimeOffset.UtcNow;
        var value = await otlp.WaitForAsync(
            o =>
            {
                var after = o.Metrics.Where(p => p.Source.ServiceInstance == instance && p.Time > now).ToList();
                return after.Count == 0 ? null : new Box(after.Where(series).OrderBy(p => p.Time).FirstOrDefault()?.Value ?? 0);
            },
            TestTimeouts.Network,
            $"an export of instance {instance}'s metrics");
        return value.Value;
    }

    /// <summary>Waits until an exported point of the series satisfies <paramref name="condition"/>; returns that point.</summary>
    public static Task<ExportedMetricPoint> WaitForPointAsync(this OtlpReceiver otlp, Func<ExportedMetricPoint, bool> series,
        Func<ExportedMetricPoint, bool> condition, string what) =>
        otlp.WaitForAsync(
            o => o.Metrics.Where(series).FirstOrDefault(condition),
            TestTimeouts.Network,
            what,
            o => "Points of the series so far:\n" + string.Join("\n", o.Metrics.Where(series).TakeLast(10)));

    sealed record Box(double Value);
}

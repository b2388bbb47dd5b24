namespace Chat.Bench.Reporting;

/// <summary>
/// Where a target stops being real time in a paced scenario: the highest offered load of the sweep that was clean
/// (nothing lost, duplicated, reordered, refused or missing from history) with its p99 within
/// <see cref="LatencyBoundMilliseconds"/>; none when no load was. Lower loads that were not are listed, since a sweep that
/// is not monotonic says the machine was disturbed.
/// </summary>
/// <param name="Scenario">talk-paced or chat.</param>
/// <param name="Target">Chat, raw socket or SignalR.</param>
/// <param name="OfferedPerSecond">The knee: messages a second offered at that load; <see langword="null"/> for none.</param>
/// <param name="Clients">The clients of that load.</param>
/// <param name="HighestOffered">The highest load measured: a knee there may lie higher still.</param>
/// <param name="MissedBelow">Offered loads below the knee that were not clean or went over the bound.</param>
public sealed record Knee(string Scenario, string Target, double? OfferedPerSecond, int? Clients, double HighestOffered, IReadOnlyList<double> MissedBelow)
{
    /// <summary>Real time for a chat user: a message seen within a tenth of a second of being sent.</summary>
    public const double LatencyBoundMilliseconds = 100;

    /// <summary>Every load was within the bound, so the knee is the highest measured or above.</summary>
    public bool AtTopOfSweep => OfferedPerSecond == HighestOffered;

    /// <summary>One knee per paced scenario and target.</summary>
    public static IReadOnlyList<Knee> From(IReadOnlyList<ScenarioSummary> summaries) =>
        [.. summaries.Where(s => s.Paced).GroupBy(s => (s.Scenario, s.Target)).Select(g =>
        {
            var loads = g.OrderBy(s => s.OfferedPerSecond).ToList();
            var knee = loads.LastOrDefault(Within);
            var missed = knee is null ? [] : loads.Where(s => s.OfferedPerSecond < knee.OfferedPerSecond && !Within(s)).Select(s => s.OfferedPerSecond).ToList();
            return new Knee(g.Key.Scenario, g.Key.Target, knee?.OfferedPerSecond, knee?.Clients, loads[^1].OfferedPerSecond, missed);
        })];

    static bool Within(ScenarioSummary load) => load.Clean && load.Latency.P99 <= LatencyBoundMilliseconds;

    /// <summary>
    /// <paramref name="ours"/>' knee ÷ <paramref name="versus"/>' in <paramref name="scenario"/> (higher is better);
    /// <see langword="null"/> when either has none.
    /// </summary>
    public static double? Ratio(IReadOnlyList<Knee> knees, string scenario, string ours, string versus) =>
        knees.FirstOrDefault(k => k.Scenario == scenario && k.Target == ours)?.OfferedPerSecond is { } our
        && knees.FirstOrDefault(k => k.Scenario == scenario && k.Target == versus)?.OfferedPerSecond is { } theirs and > 0
            ? our / theirs
            : null;
}

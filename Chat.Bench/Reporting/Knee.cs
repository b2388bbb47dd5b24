namespace Chat.Bench.Reporting;

/// <summary>
/// Where a target stops being real time in a paced scenario: of its loads, lowest first, the highest offered load up to
/// which every load was clean (nothing lost, duplicated, reordered or missing from history) with its p99 within
/// <see cref="LatencyBoundMilliseconds"/>; none when the lowest load already fails.
/// </summary>
/// <param name="Scenario">talk-paced or chat.</param>
/// <param name="Target">Chat, raw socket or SignalR.</param>
/// <param name="OfferedPerSecond">The knee: messages a second offered at that load; <see langword="null"/> for none.</param>
/// <param name="Clients">The clients of that load.</param>
/// <param name="HighestOffered">The highest load measured: a knee there may lie higher still.</param>
public sealed record Knee(string Scenario, string Target, double? OfferedPerSecond, int? Clients, double HighestOffered)
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
            var knee = loads.TakeWhile(s => s.Clean && s.Latency.P99 <= LatencyBoundMilliseconds).LastOrDefault();
            return new Knee(g.Key.Scenario, g.Key.Target, knee?.OfferedPerSecond, knee?.Clients, loads[^1].OfferedPerSecond);
        })];

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

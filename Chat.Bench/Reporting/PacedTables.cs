using System.Globalization;
using Chat.Bench.Baselines;

namespace Chat.Bench.Reporting;

/// <summary>The paced scenarios' tables, shared by the console and <c>report.md</c>: every load, and the knees.</summary>
public static class PacedTables
{
    const string Ours = "Chat";

    /// <summary>Medians of every paced scenario, load and target, the lowest load first.</summary>
    public static string Loads(BenchReport report) => TextTable.Render(
        ["scenario", "clients", "target", "offered msg/s", "accepted msg/s", "deliveries/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
            "lost", "dup", "reord", "stored", "servers' CPU µs/msg", "pacer / send lag p99 ms", "check"],
        report.Summaries.Where(s => s.Paced).OrderBy(s => s.Scenario, StringComparer.Ordinal).ThenBy(s => s.OfferedPerSecond).Select(s => (IReadOnlyList<string>)
        [
            s.Scenario,
            TextTable.Count(s.Clients),
            s.Target,
            TextTable.Count(s.OfferedPerSecond),
            TextTable.Count(s.AcceptedPerSecond),
            TextTable.Count(s.DeliveriesPerSecond),
            TextTable.Milliseconds(s.Latency.P50),
            TextTable.Milliseconds(s.Latency.P90),
            TextTable.Milliseconds(s.Latency.P99),
            TextTable.Milliseconds(s.Latency.Max),
            TextTable.Count(s.Lost),
            TextTable.Count(s.Duplicated),
            TextTable.Count(s.Reordered),
            s.Stored is { } stored ? $"{TextTable.Count(stored)}/{TextTable.Count(s.ExpectedStored ?? 0)}" : "-",
            s.ServerCpuPerMessage(Ours) is { } cpu ? (cpu * 1e6).ToString("N0", CultureInfo.InvariantCulture) : "-",
            s.PacerLag is { } pacer && s.SendLag is { } send
                ? $"{TextTable.Milliseconds(pacer.P99)} / {TextTable.Milliseconds(send.P99)}{(s.BehindSchedule ? " (behind)" : "")}"
                : "-",
            s.Clean ? "ok" : "FAIL",
        ]),
        new HashSet<int> { 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 });

    /// <summary>Each target's knee per paced scenario, and ours as a ratio of SignalR's.</summary>
    public static string Knees(BenchReport report) => TextTable.Render(
        ["scenario", "target", $"knee: highest offered msg/s with p99 ≤ {Knee.LatencyBoundMilliseconds:0} ms", "clients", $"Chat's knee ÷ this"],
        report.Knees.Select(k => (IReadOnlyList<string>)
        [
            k.Scenario,
            k.Target,
            k.OfferedPerSecond is { } offered
                ? (k.AtTopOfSweep ? "≥ " : "") + TextTable.Count(offered)
                    + (k.MissedBelow.Count > 0 ? $" (not at {string.Join(", ", k.MissedBelow.Select(TextTable.Count))})" : k.AtTopOfSweep ? " (every load)" : "")
                : $"none (not even {TextTable.Count(report.Summaries.Where(s => s.Paced && s.Scenario == k.Scenario && s.Target == k.Target).Min(s => s.OfferedPerSecond))})",
            k.Clients is { } clients ? TextTable.Count(clients) : "-",
            k.Target == Ours ? "-" : TextTable.Times(Knee.Ratio(report.Knees, k.Scenario, Ours, k.Target)),
        ]),
        new HashSet<int> { 2, 3, 4 });

    /// <summary>Ours against SignalR at the knee, in a sentence per paced scenario.</summary>
    public static IEnumerable<string> KneeSummary(BenchReport report)
    {
        foreach (var scenario in report.Knees.Select(k => k.Scenario).Distinct())
        {
            string Text(string target) => report.Knees.FirstOrDefault(k => k.Scenario == scenario && k.Target == target) is { } k
                ? k.OfferedPerSecond is { } offered ? $"{(k.AtTopOfSweep ? "≥ " : "")}{TextTable.Count(offered)} msg/s" : "none"
                : "not measured";
            yield return $"{scenario}: knee (p99 ≤ {Knee.LatencyBoundMilliseconds:0} ms, clean) Chat {Text(Ours)}, raw socket {Text(RawSocketServer.TargetName)}, "
                + $"SignalR {Text(SignalRPeer.TargetName)}; Chat ÷ SignalR {TextTable.Times(Knee.Ratio(report.Knees, scenario, Ours, SignalRPeer.TargetName))}.";
        }
    }
}

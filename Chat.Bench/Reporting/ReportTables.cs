using System.Globalization;

namespace Chat.Bench.Reporting;

/// <summary>The tables of a report, shared by the console and <c>report.md</c>.</summary>
public static class ReportTables
{
    /// <summary>Medians of every burst scenario and target (the paced ones: <see cref="PacedTables"/>).</summary>
    public static string Results(BenchReport report) => TextTable.Render(
        ["scenario", "target", "accepted msg/s", "deliveries/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "lost", "dup", "reord", "stored", "check"],
        report.Summaries.Where(s => !s.Paced).Select(s => (IReadOnlyList<string>)
        [
            s.Scenario,
            s.Target,
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
            s.Clean ? "ok" : "FAIL",
        ]),
        new HashSet<int> { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 });

    /// <summary>Ours as a ratio to each baseline.</summary>
    public static string Ratios(BenchReport report) => TextTable.Render(
        ["scenario", "Chat vs", "accepted msg/s", "deliveries/s", "p99 (lower is better)", "servers' CPU per message (lower is better)", "goal", "met"],
        report.Ratios.Select(r => (IReadOnlyList<string>)
        [
            r.Scenario,
            r.Versus,
            TextTable.Times(r.Accepted),
            TextTable.Times(r.Deliveries),
            TextTable.Times(r.P99),
            TextTable.Times(r.ServerCpu),
            r.Versus == Baselines.SignalRPeer.TargetName ? "≥ 1.0× at p99 ≤ 1.0×" : $"≥ {r.Goal.ToString("0.0", CultureInfo.InvariantCulture)}×",
            r.Met ? "yes" : "no",
        ]),
        new HashSet<int> { 2, 3, 4, 5 });

    /// <summary>
    /// One scenario's <see cref="MachineLimit"/> in words: how it is made up, ours as a share of it, and what each
    /// goal asks for as a share of it (above 1: not attainable on this machine by any system that does both baselines' work).
    /// </summary>
    public static string LimitSummary(BenchReport report, MachineLimit limit)
    {
        var goals = report.Ratios.Where(r => r.Scenario == limit.Scenario).Select(r =>
        {
            var theirs = report.Summaries.First(s => s.Scenario == r.Scenario && s.Target == r.Versus).AcceptedPerSecond;
            var needs = r.Goal * theirs / limit.MessagesPerSecond;
            return string.Create(CultureInfo.InvariantCulture,
                $"{r.Goal:0.0}× {r.Versus} = {TextTable.Count(r.Goal * theirs)} msg/s, {needs:0.00} of it{(needs > 1 ? " (above the limit)" : "")}");
        });
        return string.Create(CultureInfo.InvariantCulture,
            $"{limit.Scenario}: one machine's limit for a system that does both raw baselines' work: CPU per message raw broker "
            + $"{limit.BrokerCpuPerMessage * 1e6:0} µs + raw socket {limit.SocketCpuPerMessage * 1e6:0} µs = {limit.CpuPerMessage * 1e6:0} µs; "
            + $"{limit.Cores} cores → {TextTable.Count(limit.MessagesPerSecond)} msg/s. Chat: {TextTable.Count(limit.Ours)} msg/s, "
            + $"{limit.OursShare:0.00} of the limit. The goals ask for {string.Join("; ", goals)}.");
    }

    /// <summary>CPU seconds per process group during the timed part of each round (medians), and the machine's load.</summary>
    public static string Cpu(BenchReport report)
    {
        var groups = report.Summaries.SelectMany(s => s.CpuSeconds.Keys)
            .Where(k => k is not Diagnostics.CpuMeter.Machine and not Diagnostics.CpuMeter.MachineCapacity)
            .Distinct().ToList();
        return TextTable.Render(
            ["scenario", "target", .. groups, "others", "machine busy"],
            report.Summaries.Select(s => (IReadOnlyList<string>)
            [
                s.Paced ? $"{s.Scenario} ({TextTable.Count(s.Clients)} clients)" : s.Scenario,
                s.Target,
                .. groups.Select(g => s.CpuSeconds.TryGetValue(g, out var v) && v > 0 ? TextTable.Seconds(v) : "-"),
                s.CpuSeconds.TryGetValue(Diagnostics.CpuMeter.Machine, out var machine)
                    ? TextTable.Seconds(Math.Max(0, machine - groups.Sum(g => s.CpuSeconds.GetValueOrDefault(g))))
                    : "-",
                s.CpuSeconds.TryGetValue(Diagnostics.CpuMeter.Machine, out var busy) && s.CpuSeconds.TryGetValue(Diagnostics.CpuMeter.MachineCapacity, out var capacity) && capacity > 0
                    ? $"{busy / capacity:P0}"
                    : "-",
            ]),
            new HashSet<int>(Enumerable.Range(2, groups.Count + 2)));
    }

    /// <summary>The idle scenario, step by step, per gateway.</summary>
    public static string Idle(BenchReport report)
    {
        if (report.Idle is not { } idle)
        {
            return "";
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var sample in idle.Baseline)
        {
            rows.Add(["0", "-", sample.Node, TextTable.Count(sample.Connections ?? 0), TextTable.Bytes(sample.WorkingSetBytes), TextTable.Bytes(sample.GcHeapBytes)]);
        }

        foreach (var step in idle.Steps)
        {
            foreach (var sample in step.Gateways)
            {
                rows.Add([TextTable.Count(step.Connections), TextTable.Seconds(step.OpenSeconds), sample.Node, TextTable.Count(sample.Connections ?? 0),
                    TextTable.Bytes(sample.WorkingSetBytes), TextTable.Bytes(sample.GcHeapBytes)]);
            }
        }

        return TextTable.Render(["open (total)", "step s", "gateway", "its connections", "working set", "GC heap"], rows, new HashSet<int> { 0, 1, 3, 4, 5 });
    }

    /// <summary>
    /// The idle scenario in a sentence. The working set also moves with memory the runtime returns from earlier rounds,
    /// so when it fell while connections were added it is reported as having fallen, not as a negative cost.
    /// </summary>
    public static string IdleSummary(BenchReport report)
    {
        if (report.Idle is not { } idle)
        {
            return "";
        }

        var workingSet = idle.WorkingSetPerConnection is < 0
            ? "the GC heap grew by " + TextTable.Bytes(idle.GcHeapPerConnection) + " (the working set fell meanwhile, as the runtime returned memory left from the earlier rounds, so it tells nothing per connection)"
            : "the gateways grew by " + TextTable.Bytes(idle.WorkingSetPerConnection) + " of working set and " + TextTable.Bytes(idle.GcHeapPerConnection) + " of GC heap";
        return $"Idle: {TextTable.Count(idle.Opened)} of {TextTable.Count(idle.Requested)} connections opened; per connection {workingSet}."
            + (idle.Problem is null ? "" : $" ({idle.Problem})");
    }
}

using System.Globalization;
using System.Text;

namespace Chat.Bench.Reporting;

/// <summary><c>report.md</c>: the tables, the targets, where the CPU went, the caveats, and the chart.</summary>
public static class MarkdownReport
{
    static string WarmupText(RunSettings s) => s.WarmupSeconds == 0
        ? "no warm-up"
        : string.Create(CultureInfo.InvariantCulture, $"{s.WarmupSeconds} s of warm-up rounds ({s.WarmupMessages} messages per client) for every target");

    public static string Render(BenchReport report)
    {
        var s = report.Settings;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Chat.Bench — {report.StartedAt:yyyy-MM-dd HH:mm} UTC{(report.Label is null ? "" : $" — {report.Label}")}");
        text.AppendLine();
        var burst = report.Summaries.Any(x => !x.Paced);
        var paced = report.Summaries.Any(x => x.Paced);
        text.AppendLine($"Median of {s.Repetitions} repetitions after {WarmupText(s)}. "
            + (burst ? $"Burst scenarios: {s.Clients} clients × {s.Messages} messages, send window: {(s.Window == 0 ? "all at once (the talk's method)" : s.Window.ToString(CultureInfo.InvariantCulture))}; rooms of {s.RoomSize} in `rooms`. " : "")
            + (paced && s.Paced is { } p ? PacedReport.Settings(p, s.Messages, [.. report.Summaries.Select(x => x.Scenario)]) + " " : "")
            + string.Create(CultureInfo.InvariantCulture, $"Machine: {report.Machine.Cores} cores, {report.Machine.MemoryGiB:0} GiB, {report.Machine.Os}, {report.Machine.Runtime}; app: {s.App} ({report.Machine.AppBuild} build), bench: {report.Machine.BenchBuild} build."));
        text.AppendLine();
        text.AppendLine("![latency percentiles and throughput; latency against offered load](chart.svg)");
        text.AppendLine();
        if (burst)
        {
            text.AppendLine("## Results (medians)");
            text.AppendLine();
            text.AppendLine(ReportTables.Results(report));
            text.AppendLine("Accepted msg/s: acknowledged messages over the time from the start signal to the last acknowledgement. Deliveries/s: "
                + "distinct deliveries over the time from the start signal to the last delivery. Latency: from the send call to each receipt, "
                + "every delivery recorded (HdrHistogram, µs). Lost = expected − distinct deliveries; dup = deliveries of a message a client already had; "
                + "reord = deliveries that reached a client after a later message of the same sender (PROTOCOL.md promises each sender's order). "
                + "Stored: the history count of the round's rooms afterwards (must equal clients × messages).");
            text.AppendLine();
        }

        if (paced)
        {
            PacedReport.Render(report, text);
        }

        if (report.Ratios.Count > 0)
        {
            text.AppendLine("## Ours as a ratio to the baselines");
            text.AppendLine();
            text.AppendLine(ReportTables.Ratios(report));
            text.AppendLine("Throughputs: ours ÷ theirs (higher is better). p99: ours ÷ theirs (lower is better). The raw broker delivers each message to "
                + "3 queues, not to every client, so only its accepted rate and latency compare. Servers' CPU per message: what a message costs "
                + "the servers alone, as it would with the clients on other machines: ours (gateways, history, broker) ÷ theirs (the raw "
                + "broker's broker, the raw socket server, the SignalR hubs with redis), from the CPU table below.");
            text.AppendLine();
        }

        if (report.Limits.Count > 0)
        {
            text.AppendLine("## What one machine allows");
            text.AppendLine();
            foreach (var limit in report.Limits)
            {
                text.AppendLine(ReportTables.LimitSummary(report, limit));
                text.AppendLine();
            }

            text.AppendLine("Ours does the raw broker's work (a confirmed publish into a fanout exchange with three queues, each consumed) and the raw "
                + "socket's (every delivery written to a WebSocket and read by a client) on the same cores, and the load generator's share with them. "
                + "CPU per message: the machine's busy CPU seconds during a baseline's timed part (medians) divided by the messages of a round. "
                + "Their sum is what a message costs a system doing both with no overhead of its own; a goal above the limit cannot be met on one machine.");
            text.AppendLine();
        }

        text.AppendLine("## Where the CPU went (seconds during the timed part, medians)");
        text.AppendLine();
        text.AppendLine(ReportTables.Cpu(report));
        text.AppendLine("`bench` is this process, the load generator (and the raw broker baseline's publishers and consumers); every server is a process of its own. "
            + "`others`: the machine's busy time not in any of these processes: the kernel's network work (softirq) and whatever else ran on the machine. "
            + "On this machine every process shares the same cores, so the load generator takes CPU the servers would otherwise have.");
        if (report.BackgroundLoad is { } background)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Before the run the machine was already {background:P0} busy with other work (measured over 3 s).");
        }
        text.AppendLine();
        if (report.Idle is not null)
        {
            text.AppendLine("## Idle connections");
            text.AppendLine();
            text.AppendLine(ReportTables.IdleSummary(report));
            text.AppendLine();
            text.AppendLine(ReportTables.Idle(report));
            text.AppendLine("Figures from the gateways' own metrics (`chat.gateway.connections`, `dotnet.process.memory.working_set`, "
                + "`dotnet.gc.last_collection.heap.size`), read over EventPipe as `dotnet-counters` does.");
            text.AppendLine();
        }

        text.AppendLine("## Targets");
        text.AppendLine();
        foreach (var target in report.Targets)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- **{target.Name}** — {target.Description}");
        }

        text.AppendLine();
        if (report.Configurations.Count > 0)
        {
            text.AppendLine("## Configurations of the app");
            text.AppendLine();
            foreach (var configuration in report.Configurations)
            {
                var settings = configuration.Settings.Count == 0 ? "nothing set by the bench" : string.Join(", ", configuration.Settings.Select(x => $"`{x.Key}={x.Value}`"));
                text.AppendLine(CultureInfo.InvariantCulture, $"- **{configuration.Name}** ({string.Join(", ", configuration.Scenarios)}): {settings}");
            }

            text.AppendLine();
        }

        var problems = report.Summaries.SelectMany(x => x.Problems.Select(p => $"{x.Scenario}{(x.Paced ? $" ({x.Clients} clients)" : "")}/{x.Target} {p}")).ToList();
        if (problems.Count > 0)
        {
            text.AppendLine("## Problems");
            text.AppendLine();
            foreach (var problem in problems)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {problem}");
            }

            text.AppendLine();
        }

        text.AppendLine("## Notes");
        text.AppendLine();
        foreach (var note in report.Notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        return text.ToString();
    }
}

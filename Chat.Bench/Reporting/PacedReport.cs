using System.Globalization;
using System.Text;

namespace Chat.Bench.Reporting;

/// <summary><c>report.md</c>'s section on the paced scenarios: what a user feels at a steady rate, and each target's knee.</summary>
public static class PacedReport
{
    /// <summary>The sizes of the paced scenarios that ran, in a sentence.</summary>
    public static string Settings(PacedSettings p, int messages, IReadOnlyCollection<string> scenarios)
    {
        var parts = new List<string>();
        if (scenarios.Contains(Scenarios.TalkPacedScenario.Name))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"talk-paced with {string.Join(", ", p.Sweep)} clients in one room, each sending {p.Rate:0.##} msg/s, {messages} messages"));
        }

        if (scenarios.Contains(Scenarios.ChatScenario.Name))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"chat with {p.ChatConnections:N0} connections in rooms of {p.ChatRoomSize}, each sending {p.ChatRate:0.##} msg/s for {p.ChatDurationSeconds} s"));
        }

        return $"Paced scenarios, open loop: {string.Join("; ", parts)}.";
    }

    public static void Render(BenchReport report, StringBuilder text)
    {
        text.AppendLine("## Paced: latency at a steady rate (medians)");
        text.AppendLine();
        text.AppendLine(PacedTables.Loads(report));
        text.AppendLine("Every client sends at its rate, open loop (it never waits for an acknowledgement), client i's schedule offset by i / (N · R) s. "
            + "Latency: from each message's **scheduled** send time to each receipt, so a send that went out late does not hide its delay. "
            + "Offered msg/s: clients × rate. Servers' CPU µs/msg: the target's servers alone (ours: gateways, history, broker; SignalR: the hubs and redis) "
            + "during the round, per message sent. Pacer / send lag p99: from a message's scheduled time to the moment the pacer handed it to its client, "
            + "and to the start of its send call (which adds the load generator's threads and the client's own earlier writes); "
            + string.Create(CultureInfo.InvariantCulture, $"above {Workload.ScheduleLag.BehindScheduleMilliseconds:0} ms it did not keep its schedule and says so. ")
            + "Lost, dup, reord and stored as in the burst scenarios; a load with any of them is not clean.");
        text.AppendLine();
        text.AppendLine("### The knee");
        text.AppendLine();
        text.AppendLine(PacedTables.Knees(report));
        foreach (var line in PacedTables.KneeSummary(report))
        {
            text.AppendLine(line);
            text.AppendLine();
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"The knee: the highest offered load of the sweep that was clean with a p99 within {Knee.LatencyBoundMilliseconds:0} ms, the bound of real time for a chat user; \"≥\" when it is the highest load measured; \"not at\" lists lower loads that were not (a sweep that is not monotonic: the machine was disturbed). A scenario with one load (chat) has that load as its knee, or none."));
        text.AppendLine();
    }
}

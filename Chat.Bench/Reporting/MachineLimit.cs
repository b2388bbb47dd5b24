using Chat.Bench.Baselines;
using Chat.Bench.Diagnostics;

namespace Chat.Bench.Reporting;

/// <summary>
/// The most a system doing both raw baselines' work (ours does: a confirmed fanout publish, and every delivery written to a
/// WebSocket) could accept here: the cores divided by the sum of the baselines' CPU per message. The raw broker runs in
/// <c>talk</c> only; its cost does not depend on rooms, so it serves <c>rooms</c> too. Method: docs/performance.md.
/// </summary>
/// <param name="Scenario">The bench scenario, <c>talk</c> or <c>rooms</c>.</param>
/// <param name="BrokerCpuPerMessage">Machine-wide CPU seconds per message in the raw broker's rounds (median).</param>
/// <param name="SocketCpuPerMessage">Machine-wide CPU seconds per message in the raw socket's rounds (median).</param>
/// <param name="Cores">The machine's cores: CPU seconds it has per second.</param>
/// <param name="Ours">Our accepted messages per second in the same run (median).</param>
public sealed record MachineLimit(string Scenario, double BrokerCpuPerMessage, double SocketCpuPerMessage, int Cores, double Ours)
{
    static readonly string[] WholeMachine = [CpuMeter.Machine];

    /// <summary>CPU seconds per message of both baselines' work together.</summary>
    public double CpuPerMessage => BrokerCpuPerMessage + SocketCpuPerMessage;

    /// <summary>The limit: messages per second a system doing both baselines' work, and nothing else, could accept.</summary>
    public double MessagesPerSecond => Cores / CpuPerMessage;

    /// <summary>Ours as a share of the limit.</summary>
    public double OursShare => Ours / MessagesPerSecond;

    /// <summary>One limit per scenario in which ours and both raw baselines ran with their CPU measured.</summary>
    public static IReadOnlyList<MachineLimit> From(IReadOnlyList<ScenarioSummary> summaries, string ours, int cores)
    {
        var limits = new List<MachineLimit>();
        foreach (var our in summaries.Where(s => s.Target == ours && !s.Paced))
        {
            // The raw broker's work per message is the same in every scenario (one fanout, three queues, whatever the
            // rooms), so it runs in talk only and its figure there serves the other scenarios too.
            var broker = summaries.FirstOrDefault(s => s.Scenario == our.Scenario && s.Target == RawBrokerBaseline.Name)
                ?? summaries.FirstOrDefault(s => s.Target == RawBrokerBaseline.Name);
            var socket = summaries.FirstOrDefault(s => s.Scenario == our.Scenario && s.Target == RawSocketServer.TargetName);
            if (broker?.CpuPerMessage(WholeMachine) is { } brokerCpu && socket?.CpuPerMessage(WholeMachine) is { } socketCpu)
            {
                limits.Add(new MachineLimit(our.Scenario, brokerCpu, socketCpu, cores, our.AcceptedPerSecond));
            }
        }

        return limits;
    }
}

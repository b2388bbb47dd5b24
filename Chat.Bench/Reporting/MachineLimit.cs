using Chat.Bench.Baselines;
using Chat.Bench.Diagnostics;

namespace Chat.Bench.Reporting;

/// <summary>
/// The most a system that does the work of both raw baselines could accept on this machine. Ours does the raw broker's
/// work (a confirmed publish into a fanout exchange with three queues, each consumed) and the raw socket's (every
/// delivery written to a WebSocket by a server and read by a client) on the same cores. Each baseline's machine-wide CPU
/// per message is measured in its own rounds; their sum is what one message costs a system doing both with no overhead
/// of its own, and the machine's cores divided by it is that system's rate. A goal above this limit cannot be met on
/// one machine, however the system is built. The raw broker runs in <c>talk</c> only; its work per message does not
/// depend on the rooms, so that figure serves <c>rooms</c> too.
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

using Chat.Bench.Baselines;

namespace Chat.Bench.Reporting;

/// <summary>
/// Ours as a ratio to one baseline in one scenario: throughputs ours ÷ theirs (higher is better), p99 ours ÷ theirs
/// (lower is better), and whether the goal is met (≥ 0.5 of a raw baseline; ≥ 1.0 of the peer at equal or better p99).
/// </summary>
public sealed record Ratio(string Scenario, string Versus, double? Accepted, double? Deliveries, double? P99, double Goal, bool Met)
{
    /// <summary>Our servers' CPU per message ÷ theirs (lower is better), where both were measured.</summary>
    public double? ServerCpu { get; init; }

    /// <summary>Ours (<paramref name="ours"/>) against every other target of the same scenario.</summary>
    public static IReadOnlyList<Ratio> From(IReadOnlyList<ScenarioSummary> summaries, string ours)
    {
        var ratios = new List<Ratio>();
        // The paced scenarios compare at their knees (Knee), not round by round.
        foreach (var our in summaries.Where(s => s.Target == ours && !s.Paced))
        {
            foreach (var theirs in summaries.Where(s => s.Scenario == our.Scenario && s.Target != ours))
            {
                var accepted = Divide(our.AcceptedPerSecond, theirs.AcceptedPerSecond);
                var deliveries = theirs.Target == RawBrokerBaseline.Name ? null : Divide(our.DeliveriesPerSecond, theirs.DeliveriesPerSecond);
                var p99 = Divide(our.Latency.P99, theirs.Latency.P99);
                var peer = theirs.Target == SignalRPeer.TargetName;
                var goal = peer ? 1.0 : 0.5;
                var met = (accepted ?? 0) >= goal && (deliveries is null || deliveries >= goal) && (!peer || p99 <= 1.0);
                double? serverCpu = our.ServerCpuPerMessage(ours) is { } ourCpu && theirs.ServerCpuPerMessage(ours) is { } theirCpu
                    ? ourCpu / theirCpu
                    : null;
                ratios.Add(new Ratio(our.Scenario, theirs.Target, accepted, deliveries, p99, goal, met) { ServerCpu = serverCpu });
            }
        }

        return ratios;
    }

    static double? Divide(double a, double b) => b > 0 ? a / b : null;
}

using Chat.Bench.Workload;

namespace Chat.Bench;

/// <summary>
/// A target as a bench run drives it: its name and description, how it runs one round of a plan, the processes of its
/// servers (for the warm-up's JIT watch), and whether it runs in the talk scenario only (the raw broker).
/// </summary>
public sealed record TargetRun(string Name, string Description, TargetRun.RoundRunner Run, Func<IEnumerable<int>> ServerPids, bool TalkOnly = false)
{
    public delegate Task<RoundResult> RoundRunner(WorkloadPlan plan, int repetition, IProgress<WorkloadProgress> progress, IRoundMeter meter, CancellationToken cancellationToken);

    /// <summary>Ours, the raw socket server or the SignalR peer: the same workload runner, their own clients.</summary>
    public static TargetRun For(IBenchTarget target, Func<IEnumerable<int>> serverPids) =>
        new(target.Name, target.Description, (plan, repetition, progress, meter, token) => WorkloadRunner.RunAsync(target, plan, repetition, progress, meter, token), serverPids);
}

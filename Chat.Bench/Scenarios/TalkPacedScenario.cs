using Chat.Bench.Workload;

namespace Chat.Bench.Scenarios;

/// <summary>
/// The talk's room at the rate people chat at: <c>N</c> clients in one room, each sending <c>R</c> messages a second
/// (by default the protocol's limit, 20), open loop and staggered, each receiving every message of the room. Swept
/// over <c>N</c>, it shows where latency leaves real time. The room's history must hold exactly <c>N × M</c> messages.
/// </summary>
public static class TalkPacedScenario
{
    public const string Name = "talk-paced";

    public static WorkloadPlan Plan(WorkloadOptions options, double rate) =>
        new(Name, Enumerable.Repeat(TalkScenario.NewRoomName(Name), options.Clients).ToArray(), options.Messages, Window: 0,
            options.StallTimeout, options.StoreSettle) { Rate = rate };

    public static Task<RoundResult> RunAsync(IBenchTarget target, WorkloadOptions options, double rate, CancellationToken cancellationToken,
        IProgress<WorkloadProgress>? progress = null, IRoundMeter? meter = null, int repetition = 1) =>
        WorkloadRunner.RunAsync(target, Plan(options, rate), repetition, progress, meter, cancellationToken);
}

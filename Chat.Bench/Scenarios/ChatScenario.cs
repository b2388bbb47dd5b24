using Chat.Bench.Workload;

namespace Chat.Bench.Scenarios;

/// <summary>
/// The load a chat service actually carries: many connections in small rooms, each sending now and then. By default
/// 2,000 connections in rooms of 20, each sending 1 message a second for 60 s, open loop and staggered: 2,000 messages
/// a second accepted, 40,000 deliveries a second. Every room's history must hold exactly its members' messages.
/// </summary>
public static class ChatScenario
{
    public const string Name = "chat";

    /// <param name="options">Connections, and messages per connection (its rate × the duration).</param>
    /// <param name="roomSize">Members per room.</param>
    /// <param name="rate">Messages a second each connection sends.</param>
    public static WorkloadPlan Plan(WorkloadOptions options, int roomSize, double rate)
    {
        var prefix = TalkScenario.NewRoomName(Name);
        return new(Name, Enumerable.Range(0, options.Clients).Select(i => $"{prefix}-{i / Math.Max(1, roomSize)}").ToArray(),
            options.Messages, Window: 0, options.StallTimeout, options.StoreSettle) { Rate = rate };
    }

    /// <summary>Messages each connection sends at <paramref name="rate"/> for <paramref name="duration"/> (at least one).</summary>
    public static int Messages(double rate, TimeSpan duration) => Math.Max(1, (int)Math.Round(rate * duration.TotalSeconds));

    public static Task<RoundResult> RunAsync(IBenchTarget target, WorkloadOptions options, int roomSize, double rate, CancellationToken cancellationToken,
        IProgress<WorkloadProgress>? progress = null, IRoundMeter? meter = null, int repetition = 1) =>
        WorkloadRunner.RunAsync(target, Plan(options, roomSize, rate), repetition, progress, meter, cancellationToken);
}

using Chat.Bench.Workload;

namespace Chat.Bench.Scenarios;

/// <summary>The size of a talk or rooms round.</summary>
/// <param name="Clients">Connections, spread over the target's instances.</param>
/// <param name="Messages">Messages each client sends.</param>
/// <param name="Window">Messages a client may have unacknowledged at once; 0 = all at once, as in the talk.</param>
public sealed record WorkloadOptions(int Clients = 100, int Messages = 100, int Window = 0)
{
    /// <summary>A round ends when nothing arrived for this long; what is missing then is lost.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long to wait for history to store everything after a round.</summary>
    public TimeSpan StoreSettle { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// The 2013 talk's benchmark, done for real: <c>N</c> clients join one room, wait for the start signal, each sends
/// <c>M</c> messages, and each must receive all <c>N × M</c> (its own included), with no loss and no duplicate; afterwards
/// the room's history must hold exactly <c>N × M</c> messages.
/// </summary>
public static class TalkScenario
{
    public const string Name = "talk";

    /// <summary>Every client in one fresh room.</summary>
    public static WorkloadPlan Plan(WorkloadOptions options) =>
        new(Name, Enumerable.Repeat(NewRoomName(Name), options.Clients).ToArray(), options.Messages, options.Window,
            options.StallTimeout, options.StoreSettle);

    /// <summary>One round against <paramref name="target"/> in a fresh room.</summary>
    public static Task<RoundResult> RunAsync(IBenchTarget target, WorkloadOptions options, CancellationToken cancellationToken,
        IProgress<WorkloadProgress>? progress = null, IRoundMeter? meter = null, int repetition = 1) =>
        WorkloadRunner.RunAsync(target, Plan(options), repetition, progress, meter, cancellationToken);

    /// <summary>A room name no earlier round used, so its history holds this round's messages only.</summary>
    public static string NewRoomName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}

/// <summary>
/// Many small rooms: the same clients and messages, but in rooms of <c>roomSize</c> members, so each message is delivered
/// to a few sockets instead of all; every room's history must hold exactly its members' messages.
/// </summary>
public static class RoomsScenario
{
    public const string Name = "rooms";

    public static WorkloadPlan Plan(WorkloadOptions options, int roomSize)
    {
        var prefix = TalkScenario.NewRoomName(Name);
        return new(Name, Enumerable.Range(0, options.Clients).Select(i => $"{prefix}-{i / Math.Max(1, roomSize)}").ToArray(),
            options.Messages, options.Window, options.StallTimeout, options.StoreSettle);
    }

    public static Task<RoundResult> RunAsync(IBenchTarget target, WorkloadOptions options, int roomSize, CancellationToken cancellationToken,
        IProgress<WorkloadProgress>? progress = null, IRoundMeter? meter = null, int repetition = 1) =>
        WorkloadRunner.RunAsync(target, Plan(options, roomSize), repetition, progress, meter, cancellationToken);
}

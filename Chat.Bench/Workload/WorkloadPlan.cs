namespace Chat.Bench.Workload;

/// <summary>
/// Who joins which room and how much each one sends: the talk's method, generalised. Every client joins its room,
/// waits for the start signal, sends <see cref="MessagesPerClient"/> messages, and must receive every message of
/// every member of its room (itself included).
/// </summary>
/// <param name="Scenario">Name for the report.</param>
/// <param name="RoomOfClient">The room of each client, by client index.</param>
/// <param name="MessagesPerClient">Messages each client sends.</param>
/// <param name="Window">Messages a client may have sent but not yet had accepted; 0 = no limit (the talk: send all, then receive all).</param>
/// <param name="StallTimeout">The round ends when nothing arrives for this long; what is missing then counts as lost.</param>
/// <param name="StoreSettle">How long to wait for the target's history to catch up after the round.</param>
public sealed record WorkloadPlan(
    string Scenario,
    IReadOnlyList<string> RoomOfClient,
    int MessagesPerClient,
    int Window,
    TimeSpan StallTimeout,
    TimeSpan StoreSettle)
{
    public int Clients => RoomOfClient.Count;

    /// <summary>
    /// Messages a second each client sends, paced and open loop (<see cref="PacedRound"/>); 0 for the talk's method, all
    /// at once after the start signal.
    /// </summary>
    public double Rate { get; init; }

    /// <summary>Messages a second all clients together are scheduled to send (0 when not paced).</summary>
    public double OfferedPerSecond => Clients * Rate;

    /// <summary>The members of each room, by client index.</summary>
    public IReadOnlyDictionary<string, int[]> Members => field ??= RoomOfClient
        .Select((room, index) => (room, index))
        .GroupBy(x => x.room, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(x => x.index).ToArray(), StringComparer.Ordinal);

    public long ExpectedDeliveries => Members.Values.Sum(m => (long)m.Length * m.Length * MessagesPerClient);
}

/// <summary>A snapshot of a running round, for the console.</summary>
public readonly record struct WorkloadProgress(string Phase, long Sent, long Accepted, long Delivered, long Expected, double Seconds);

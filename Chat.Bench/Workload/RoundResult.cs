namespace Chat.Bench.Workload;

/// <summary>The figures of one repetition of one scenario against one target.</summary>
public sealed record RoundResult
{
    public required string Target { get; init; }
    public required string Scenario { get; init; }
    public int Repetition { get; init; }
    public int Clients { get; init; }
    public int MessagesPerClient { get; init; }
    public int Rooms { get; init; }

    /// <summary>Messages a second the clients were scheduled to send together, for a paced round; 0 for the talk's all at once.</summary>
    public double OfferedPerSecond { get; init; }

    /// <summary>A paced round: how late the pacer handed its sends out behind their schedule (<see cref="ScheduleLag"/>).</summary>
    public LatencySummary? PacerLag { get; init; }

    /// <summary>A paced round: the scheduling priority its pacer's thread ran at.</summary>
    public string? PacerPriority { get; init; }

    /// <summary>A paced round: how late its send calls started behind their schedule.</summary>
    public LatencySummary? SendLag { get; init; }

    /// <summary>
    /// How long the load generator's own garbage collections held its threads during the timed part: its pacer and its
    /// receipts stop meanwhile, so this is where much of a pacer lag comes from.
    /// </summary>
    public double BenchGcPauseMilliseconds { get; init; }

    /// <summary>A paced round whose pacer or send calls fell behind the schedule by more than <see cref="ScheduleLag.BehindScheduleMilliseconds"/> at p99.</summary>
    public bool BehindSchedule => Math.Max(PacerLag?.P99 ?? 0, SendLag?.P99 ?? 0) > ScheduleLag.BehindScheduleMilliseconds;

    /// <summary>Messages sent (clients × messages per client).</summary>
    public long Sent { get; init; }

    /// <summary>Messages the target acknowledged (our <c>ack</c>, a broker confirm …).</summary>
    public long Accepted { get; init; }

    /// <summary>Messages the target refused (rate limit, broker unavailable …).</summary>
    public long Rejected { get; init; }

    public long ExpectedDeliveries { get; init; }

    /// <summary>Distinct deliveries (each expected message to each expected receiver, counted once).</summary>
    public long Delivered { get; init; }

    /// <summary>Expected deliveries that never arrived.</summary>
    public long Lost => ExpectedDeliveries - Delivered;

    /// <summary>Deliveries that arrived more than once.</summary>
    public long Duplicated { get; init; }

    /// <summary>Deliveries that arrived after a later message of the same sender, to the same receiver.</summary>
    public long Reordered { get; init; }

    /// <summary>Messages a receiver did not expect (another room's, or not a bench payload).</summary>
    public long Stray { get; init; }

    /// <summary>From the start signal to the last acknowledgement.</summary>
    public double AcceptSeconds { get; init; }

    /// <summary>From the start signal to the last delivery.</summary>
    public double DeliverySeconds { get; init; }

    public double AcceptedPerSecond => AcceptSeconds > 0 ? Accepted / AcceptSeconds : 0;

    public double DeliveriesPerSecond => DeliverySeconds > 0 ? Delivered / DeliverySeconds : 0;

    public required LatencySummary Latency { get; init; }

    /// <summary>Messages the target should have stored (its history), or <see langword="null"/> when it stores none.</summary>
    public long? ExpectedStored { get; init; }

    /// <summary>Messages the target did store for the rooms of this round, counted after the run.</summary>
    public long? Stored { get; init; }

    /// <summary>Connections per server instance.</summary>
    public IReadOnlyDictionary<string, int> Spread { get; init; } = new Dictionary<string, int>();

    /// <summary>CPU seconds used during the round, per process group (bench, gateways, history, broker …).</summary>
    public IReadOnlyDictionary<string, double> CpuSeconds { get; init; } = new Dictionary<string, double>();

    /// <summary>What went wrong, if anything (a stall, a refused message, a broken connection).</summary>
    public string? Problem { get; init; }

    /// <summary>No loss, no duplicate, no reordering, nothing refused, and (where the target stores) every message stored exactly once.</summary>
    public bool IsClean => Lost == 0 && Duplicated == 0 && Reordered == 0 && Rejected == 0 && (ExpectedStored is null || Stored == ExpectedStored);
}

using Chat.Bench.Diagnostics;
using Chat.Bench.Workload;

namespace Chat.Bench.Reporting;

/// <summary>The median over repetitions of every figure of one scenario against one target.</summary>
public sealed record ScenarioSummary
{
    public required string Scenario { get; init; }
    public required string Target { get; init; }
    public required int Repetitions { get; init; }

    /// <summary>Clients of each round.</summary>
    public int Clients { get; init; }

    /// <summary>Messages a second the clients were scheduled to send together in a paced scenario; 0 in a burst one.</summary>
    public double OfferedPerSecond { get; init; }

    /// <summary>Sent at a steady rate, open loop (talk-paced, chat).</summary>
    public bool Paced => OfferedPerSecond > 0;

    /// <summary>A paced scenario: how late the sends went out behind their schedule (medians of each percentile).</summary>
    public LatencySummary? PacerLag { get; init; }

    /// <summary>A paced scenario: how late the send calls started behind their schedule (medians of each percentile).</summary>
    public LatencySummary? SendLag { get; init; }

    /// <summary>The pacer or the send calls fell behind by more than <see cref="ScheduleLag.BehindScheduleMilliseconds"/> at p99.</summary>
    public bool BehindSchedule => Math.Max(PacerLag?.P99 ?? 0, SendLag?.P99 ?? 0) > ScheduleLag.BehindScheduleMilliseconds;

    /// <summary>Messages sent in each round (clients × messages per client).</summary>
    public long MessagesPerRound { get; init; }

    public required double AcceptedPerSecond { get; init; }
    public required double DeliveriesPerSecond { get; init; }
    public required LatencySummary Latency { get; init; }
    public required double Lost { get; init; }
    public required double Duplicated { get; init; }
    public required long LostInAllRepetitions { get; init; }
    public required long DuplicatedInAllRepetitions { get; init; }

    /// <summary>Deliveries that arrived after a later message of their sender (median), and summed over the repetitions.</summary>
    public double Reordered { get; init; }
    public long ReorderedInAllRepetitions { get; init; }
    public double? Stored { get; init; }
    public long? ExpectedStored { get; init; }
    public required bool Clean { get; init; }
    public required IReadOnlyDictionary<string, double> CpuSeconds { get; init; }
    public required IReadOnlyDictionary<string, int> Spread { get; init; }
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>
    /// CPU seconds per message of the given process groups together (<see cref="CpuGroups"/>, or <see cref="CpuMeter.Machine"/>
    /// for the whole machine), or <see langword="null"/> when one of them was not measured or they used none.
    /// </summary>
    public double? CpuPerMessage(IReadOnlyCollection<string> groups) =>
        MessagesPerRound > 0 && groups.All(CpuSeconds.ContainsKey) && groups.Sum(g => CpuSeconds[g]) is > 0 and var seconds
            ? seconds / MessagesPerRound
            : null;

    /// <summary>CPU seconds per message of the target's servers alone (<see cref="ServerGroups"/>); <paramref name="ours"/> names our app.</summary>
    public double? ServerCpuPerMessage(string ours) => ServerGroups.Of(Target, ours) is { } groups ? CpuPerMessage(groups) : null;

    public static ScenarioSummary From(IReadOnlyList<RoundResult> rounds)
    {
        var first = rounds[0];
        return new ScenarioSummary
        {
            Scenario = first.Scenario,
            Target = first.Target,
            Repetitions = rounds.Count,
            Clients = first.Clients,
            OfferedPerSecond = first.OfferedPerSecond,
            PacerLag = rounds.All(r => r.PacerLag is not null) ? LatencySummary.Median([.. rounds.Select(r => r.PacerLag!)]) : null,
            SendLag = rounds.All(r => r.SendLag is not null) ? LatencySummary.Median([.. rounds.Select(r => r.SendLag!)]) : null,
            MessagesPerRound = (long)first.Clients * first.MessagesPerClient,
            AcceptedPerSecond = Statistics.Median(rounds.Select(r => r.AcceptedPerSecond)),
            DeliveriesPerSecond = Statistics.Median(rounds.Select(r => r.DeliveriesPerSecond)),
            Latency = LatencySummary.Median([.. rounds.Select(r => r.Latency)]),
            Lost = Statistics.Median(rounds.Select(r => (double)r.Lost)),
            Duplicated = Statistics.Median(rounds.Select(r => (double)r.Duplicated)),
            LostInAllRepetitions = rounds.Sum(r => r.Lost),
            DuplicatedInAllRepetitions = rounds.Sum(r => r.Duplicated),
            Reordered = Statistics.Median(rounds.Select(r => (double)r.Reordered)),
            ReorderedInAllRepetitions = rounds.Sum(r => r.Reordered),
            Stored = rounds.All(r => r.Stored is not null) ? Statistics.Median(rounds.Select(r => (double)r.Stored!.Value)) : null,
            ExpectedStored = first.ExpectedStored,
            Clean = rounds.All(r => r.IsClean),
            CpuSeconds = rounds.SelectMany(r => r.CpuSeconds.Keys).Distinct()
                .ToDictionary(k => k, k => Statistics.Median(rounds.Select(r => r.CpuSeconds.GetValueOrDefault(k)))),
            Spread = first.Spread,
            Problems = [.. rounds.Where(r => r.Problem is not null).Select(r => $"rep {r.Repetition}: {r.Problem}").Distinct()],
        };
    }
}

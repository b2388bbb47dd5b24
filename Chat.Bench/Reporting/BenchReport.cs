using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.Bench.Baselines;
using Chat.Bench.Diagnostics;
using Chat.Bench.Scenarios;
using Chat.Bench.Workload;

namespace Chat.Bench.Reporting;

/// <summary>Everything one bench run measured, as written to <c>report.json</c>.</summary>
public sealed record BenchReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public string? Label { get; init; }
    public required MachineInfo Machine { get; init; }
    public required RunSettings Settings { get; init; }
    public required IReadOnlyList<TargetInfo> Targets { get; init; }
    public required IReadOnlyList<ScenarioSummary> Summaries { get; init; }
    public required IReadOnlyList<Ratio> Ratios { get; init; }

    /// <summary>Per scenario with both raw baselines: the most a system doing both their work could accept on this machine.</summary>
    public IReadOnlyList<MachineLimit> Limits { get; init; } = [];
    public IdleResult? Idle { get; init; }
    public required IReadOnlyList<RoundResult> Rounds { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>How busy the machine was with other work just before the run (0–1), if it could be read.</summary>
    public double? BackgroundLoad { get; init; }

    /// <summary>Every round of ours without loss or duplicate and with every message stored exactly once.</summary>
    public bool OursClean => Rounds.Where(r => r.Target == "Chat").All(r => r.IsClean);
}

public sealed record MachineInfo(int Cores, double MemoryGiB, string Os, string Runtime, string BenchBuild, string AppBuild);

public sealed record RunSettings(
    IReadOnlyList<string> Scenarios,
    IReadOnlyList<string> Baselines,
    int Clients,
    int Messages,
    int Repetitions,
    int WarmupSeconds,
    int WarmupMessages,
    int Window,
    int RoomSize,
    int IdleConnections,
    string App,
    bool ViaProxy,
    IReadOnlyDictionary<string, string> AppSettings);

public sealed record TargetInfo(string Name, string Description);

/// <summary>The median over repetitions of every figure of one scenario against one target.</summary>
public sealed record ScenarioSummary
{
    public required string Scenario { get; init; }
    public required string Target { get; init; }
    public required int Repetitions { get; init; }

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

    public static ScenarioSummary From(IReadOnlyList<RoundResult> rounds)
    {
        var first = rounds[0];
        return new ScenarioSummary
        {
            Scenario = first.Scenario,
            Target = first.Target,
            Repetitions = rounds.Count,
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

/// <summary>
/// Ours as a ratio to one baseline in one scenario: throughputs ours ÷ theirs (higher is better), p99 ours ÷ theirs
/// (lower is better), and whether the goal is met (≥ 0.5 of a raw baseline; ≥ 1.0 of the peer at equal or better p99).
/// </summary>
public sealed record Ratio(string Scenario, string Versus, double? Accepted, double? Deliveries, double? P99, double Goal, bool Met)
{
    /// <summary>
    /// The CPU groups that are each target's servers: what a message costs it with the clients on other machines. The
    /// raw broker's clients run in the bench, so its servers are the broker alone.
    /// </summary>
    static readonly Dictionary<string, string[]> ServerGroups = new(StringComparer.Ordinal)
    {
        [RawBrokerBaseline.Name] = [CpuGroups.Broker],
        [RawSocketServer.TargetName] = [CpuGroups.SocketServer],
        [SignalRPeer.TargetName] = [CpuGroups.SignalR],
    };

    static readonly string[] OurServerGroups = [CpuGroups.Gateways, CpuGroups.History, CpuGroups.Broker];

    /// <summary>Our servers' CPU per message ÷ theirs (lower is better), where both were measured.</summary>
    public double? ServerCpu { get; init; }

    /// <summary>Ours (<paramref name="ours"/>) against every other target of the same scenario.</summary>
    public static IReadOnlyList<Ratio> From(IReadOnlyList<ScenarioSummary> summaries, string ours)
    {
        var ratios = new List<Ratio>();
        foreach (var our in summaries.Where(s => s.Target == ours))
        {
            foreach (var theirs in summaries.Where(s => s.Scenario == our.Scenario && s.Target != ours))
            {
                var accepted = Divide(our.AcceptedPerSecond, theirs.AcceptedPerSecond);
                var deliveries = theirs.Target == RawBrokerBaseline.Name ? null : Divide(our.DeliveriesPerSecond, theirs.DeliveriesPerSecond);
                var p99 = Divide(our.Latency.P99, theirs.Latency.P99);
                var peer = theirs.Target == SignalRPeer.TargetName;
                var goal = peer ? 1.0 : 0.5;
                var met = (accepted ?? 0) >= goal && (deliveries is null || deliveries >= goal) && (!peer || p99 <= 1.0);
                double? serverCpu = ServerGroups.TryGetValue(theirs.Target, out var groups)
                    && our.CpuPerMessage(OurServerGroups) is { } ourCpu && theirs.CpuPerMessage(groups) is { } theirCpu
                        ? ourCpu / theirCpu
                        : null;
                ratios.Add(new Ratio(our.Scenario, theirs.Target, accepted, deliveries, p99, goal, met) { ServerCpu = serverCpu });
            }
        }

        return ratios;
    }

    static double? Divide(double a, double b) => b > 0 ? a / b : null;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;

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

    /// <summary>Per paced scenario and target: the highest offered load whose p99 stays within <see cref="Knee.LatencyBoundMilliseconds"/>.</summary>
    public IReadOnlyList<Knee> Knees { get; init; } = [];

    /// <summary>The configurations the app ran in, and which scenarios ran against each.</summary>
    public IReadOnlyList<AppConfiguration> Configurations { get; init; } = [];
    public IdleResult? Idle { get; init; }
    public required IReadOnlyList<RoundResult> Rounds { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>How busy the machine was with other work just before the run (0–1), if it could be read.</summary>
    public double? BackgroundLoad { get; init; }

    /// <summary>Every round of ours without loss, duplicate or reordering and with every message stored exactly once.</summary>
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
    IReadOnlyDictionary<string, string> AppSettings)
{
    /// <summary>The paced scenarios' sizes.</summary>
    public PacedSettings? Paced { get; init; }
}

public sealed record TargetInfo(string Name, string Description);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;

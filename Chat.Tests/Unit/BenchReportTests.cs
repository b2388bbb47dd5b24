using Chat.Bench.Baselines;
using Chat.Bench.Diagnostics;
using Chat.Bench.Reporting;
using Chat.Bench.Scenarios;
using Chat.Bench.Workload;

namespace Chat.Tests.Unit;

/// <summary>
/// What the bench's report concludes from its figures: the one-machine limit (both raw baselines' CPU per message,
/// summed, against the machine's cores) and the idle scenario's cost per connection.
/// </summary>
public sealed class BenchReportTests
{
    const string Ours = "Chat";

    /// <summary>
    /// A talk run of 10,000 messages a round: the raw broker's rounds kept the machine busy for 1.0 s (100 µs a
    /// message), the raw socket's for 0.5 s (50 µs): 150 µs of work a message, on 2 cores 13,333 messages a second.
    /// </summary>
    static readonly IReadOnlyList<ScenarioSummary> Talk =
    [
        Summary(Ours, accepted: 8_000, busy: 2.4),
        Summary(RawBrokerBaseline.Name, accepted: 20_000, busy: 1.0),
        Summary(RawSocketServer.TargetName, accepted: 40_000, busy: 0.5),
    ];

    [Fact]
    public void The_limit_is_the_cores_over_both_baselines_cpu_per_message()
    {
        IReadOnlyList<ScenarioSummary> summaries = [.. Talk, Summary(SignalRPeer.TargetName, accepted: 12_000, busy: 1.6)];

        var limit = Assert.Single(MachineLimit.From(summaries, Ours, cores: 2));

        Assert.Equal("talk", limit.Scenario);
        Assert.Equal(100e-6, limit.BrokerCpuPerMessage, 1e-12);
        Assert.Equal(50e-6, limit.SocketCpuPerMessage, 1e-12);
        Assert.Equal(2 / 150e-6, limit.MessagesPerSecond, 1e-6);
        Assert.Equal(8_000 / (2 / 150e-6), limit.OursShare, 1e-9);
    }

    [Fact]
    public void A_scenario_without_the_raw_broker_takes_its_cpu_per_message_from_talk()
    {
        IReadOnlyList<ScenarioSummary> summaries =
        [
            .. Talk,
            Summary(Ours, 11_000, 2.0) with { Scenario = "rooms" },
            Summary(RawSocketServer.TargetName, 250_000, 0.1) with { Scenario = "rooms" },
        ];

        var rooms = Assert.Single(MachineLimit.From(summaries, Ours, 2), l => l.Scenario == "rooms");

        Assert.Equal(100e-6, rooms.BrokerCpuPerMessage, 1e-12);
        Assert.Equal(10e-6, rooms.SocketCpuPerMessage, 1e-12);
        Assert.Equal(2 / 110e-6, rooms.MessagesPerSecond, 1e-6);
    }

    [Fact]
    public void Without_both_raw_baselines_or_their_cpu_there_is_no_limit()
    {
        Assert.Empty(MachineLimit.From([Summary(Ours, 8_000, 2.4), Summary(RawSocketServer.TargetName, 40_000, 0.5)], Ours, 2));
        Assert.Empty(MachineLimit.From(
            [Summary(Ours, 8_000, 2.4), Summary(RawBrokerBaseline.Name, 20_000, busy: null), Summary(RawSocketServer.TargetName, 40_000, 0.5)], Ours, 2));
    }

    [Fact]
    public void The_summary_says_which_goals_lie_above_the_limit()
    {
        var limit = MachineLimit.From(Talk, Ours, 2)[0];
        var report = Report(Talk) with
        {
            Ratios =
            [
                new Ratio("talk", RawBrokerBaseline.Name, 0.4, null, 2, 0.5, false),
                new Ratio("talk", RawSocketServer.TargetName, 0.2, 0.2, 4, 0.5, false),
            ],
            Limits = [limit],
        };

        var text = ReportTables.LimitSummary(report, limit);

        // 0.5× the raw broker is 10,000 msg/s, 0.75 of the 13,333 limit; 0.5× the raw socket 20,000, 1.50 of it.
        Assert.Contains("13,333 msg/s", text, StringComparison.Ordinal);
        Assert.Contains("0.60 of the limit", text, StringComparison.Ordinal);
        Assert.Contains("0.5× raw broker = 10,000 msg/s, 0.75 of it;", text, StringComparison.Ordinal);
        Assert.Contains("0.5× raw socket = 20,000 msg/s, 1.50 of it (above the limit)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0.75 of it (above", text, StringComparison.Ordinal);
        Assert.Contains("## What one machine allows", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Ratios_compare_rates_latency_and_what_a_message_costs_the_servers_alone()
    {
        var ours = Summary(Ours, 8_000, 2.4) with
        {
            Latency = new LatencySummary(1, 0.5, 0.9, 1.2, 1.3),
            CpuSeconds = Cpu((CpuGroups.Gateways, 0.9), (CpuGroups.History, 0.2), (CpuGroups.Broker, 0.7), (CpuGroups.Bench, 0.6)),
        };
        var broker = Summary(RawBrokerBaseline.Name, 20_000, 1.0) with
        {
            Latency = new LatencySummary(1, 0.3, 0.5, 0.6, 0.6),
            CpuSeconds = Cpu((CpuGroups.Broker, 0.72), (CpuGroups.Bench, 0.3)),
        };
        var socket = Summary(RawSocketServer.TargetName, 15_000, 0.5) with { Latency = new LatencySummary(1, 0.1, 0.2, 0.3, 0.3) };
        var signalR = Summary(SignalRPeer.TargetName, 12_000, 1.6) with
        {
            Latency = new LatencySummary(1, 0.5, 0.7, 0.8, 0.9),
            CpuSeconds = Cpu((CpuGroups.SignalR, 0.45), (CpuGroups.Bench, 1.0)),
        };

        var ratios = Ratio.From([ours, broker, socket, signalR], Ours);

        Assert.Equal(3, ratios.Count);
        var versusBroker = Assert.Single(ratios, r => r.Versus == RawBrokerBaseline.Name);
        Assert.Equal(0.4, versusBroker.Accepted!.Value, 1e-9);
        Assert.Null(versusBroker.Deliveries); // the raw broker delivers to queues, not to every client
        Assert.Equal(2.0, versusBroker.P99!.Value, 1e-9);
        Assert.Equal(1.8 / 0.72, versusBroker.ServerCpu!.Value, 1e-9); // ours: gateways, history and broker; the bench is no server
        Assert.False(versusBroker.Met);

        var versusSocket = Assert.Single(ratios, r => r.Versus == RawSocketServer.TargetName);
        Assert.Equal(8_000 / 15_000.0, versusSocket.Accepted!.Value, 1e-9);
        Assert.Null(versusSocket.ServerCpu); // its server's CPU was not measured
        Assert.True(versusSocket.Met); // ≥ 0.5× in both rates; latency is no part of a raw baseline's goal

        var versusSignalR = Assert.Single(ratios, r => r.Versus == SignalRPeer.TargetName);
        Assert.Equal(1.0, versusSignalR.Goal);
        Assert.Equal(1.8 / 0.45, versusSignalR.ServerCpu!.Value, 1e-9);
        Assert.False(versusSignalR.Met);
    }

    [Fact]
    public void Idle_connections_that_cost_working_set_are_reported_per_connection()
    {
        var report = Report([]) with { Idle = Idle(workingSetAfter: 300 + 2_000 * 20_000.0) };

        Assert.Contains("per connection the gateways grew by 19.5 KiB of working set and 18.0 KiB of GC heap", ReportTables.IdleSummary(report), StringComparison.Ordinal);
    }

    [Fact]
    public void A_working_set_that_fell_is_not_reported_as_a_negative_cost()
    {
        var report = Report([]) with { Idle = Idle(workingSetAfter: 100) };

        var text = ReportTables.IdleSummary(report);

        Assert.Contains("per connection the GC heap grew by 18.0 KiB (the working set fell meanwhile", text, StringComparison.Ordinal);
        Assert.DoesNotContain("-", text, StringComparison.Ordinal);
    }

    /// <summary>One gateway that went from no connections to 2,000, its GC heap growing by 18 KiB each.</summary>
    static IdleResult Idle(double workingSetAfter) => new()
    {
        Requested = 2_000,
        Opened = 2_000,
        Baseline = [new GatewaySample("g1", 0, WorkingSetBytes: 300, GcHeapBytes: 1_000)],
        Steps = [new IdleStep(2_000, 0.5, [new GatewaySample("g1", 2_000, workingSetAfter, 1_000 + 2_000 * 18 * 1024.0)])],
    };

    static BenchReport Report(IReadOnlyList<ScenarioSummary> summaries) => new()
    {
        StartedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch,
        Machine = new MachineInfo(2, 24, "test", "test", "Release", "Release"),
        Settings = new RunSettings(["talk"], ["broker", "socket"], 100, 100, 1, 0, 1, 0, 5, 0, "test", false, new Dictionary<string, string>()),
        Targets = [],
        Summaries = summaries,
        Ratios = [],
        Rounds = [],
        Notes = [],
    };

    static Dictionary<string, double> Cpu(params (string Group, double Seconds)[] groups) =>
        groups.ToDictionary(g => g.Group, g => g.Seconds);

    static ScenarioSummary Summary(string target, double accepted, double? busy) => new()
    {
        Scenario = "talk",
        Target = target,
        Repetitions = 1,
        MessagesPerRound = 10_000,
        AcceptedPerSecond = accepted,
        DeliveriesPerSecond = accepted * 100,
        Latency = LatencySummary.Empty,
        Lost = 0,
        Duplicated = 0,
        LostInAllRepetitions = 0,
        DuplicatedInAllRepetitions = 0,
        Clean = true,
        CpuSeconds = busy is { } b ? new Dictionary<string, double> { [CpuMeter.Machine] = b, [CpuMeter.MachineCapacity] = 2 * b } : new Dictionary<string, double>(),
        Spread = new Dictionary<string, int>(),
    };
}

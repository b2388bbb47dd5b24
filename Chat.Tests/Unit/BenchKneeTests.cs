using Chat.Bench.Baselines;
using Chat.Bench.Diagnostics;
using Chat.Bench.Reporting;
using Chat.Bench.Workload;

namespace Chat.Tests.Unit;

/// <summary>
/// The paced scenarios' knee (the highest offered load whose p99 stays within 100 ms, every load up to it clean), ours
/// as a ratio of SignalR's, and how the report shows them.
/// </summary>
public sealed class BenchKneeTests
{
    const string Ours = "Chat";

    [Fact]
    public void The_knee_is_the_highest_load_whose_p99_stays_within_100_ms()
    {
        var knees = Knee.From([Load(Ours, 25, 40), Load(Ours, 50, 90), Load(Ours, 75, 180), Load(Ours, 100, 240)]);

        var knee = Assert.Single(knees);
        Assert.Equal(50 * 20, knee.OfferedPerSecond);
        Assert.Equal(50, knee.Clients);
        Assert.Equal(100 * 20, knee.HighestOffered);
        Assert.False(knee.AtTopOfSweep);
        Assert.Empty(knee.MissedBelow);
    }

    [Fact]
    public void A_lower_load_over_the_bound_is_named_beside_a_higher_knee()
    {
        var knee = Assert.Single(Knee.From([Load(Ours, 25, 40), Load(Ours, 50, 90), Load(Ours, 75, 180), Load(Ours, 100, 95)]));

        Assert.Equal(100 * 20, knee.OfferedPerSecond);
        Assert.Equal([75 * 20.0], knee.MissedBelow); // a sweep that is not monotonic: the machine was disturbed
    }

    [Fact]
    public void Exactly_100_ms_is_still_within_the_bound_and_a_sweep_that_stays_within_has_its_knee_at_the_top()
    {
        var knee = Assert.Single(Knee.From([Load(Ours, 50, 100), Load(Ours, 25, 10)]));

        Assert.Equal(1_000, knee.OfferedPerSecond);
        Assert.True(knee.AtTopOfSweep);
    }

    [Fact]
    public void No_load_within_100_ms_means_no_knee_and_no_ratio()
    {
        IReadOnlyList<ScenarioSummary> summaries = [Load(Ours, 25, 150), Load(Ours, 50, 400), Load(SignalRPeer.TargetName, 25, 20), Load(SignalRPeer.TargetName, 50, 30)];

        var knees = Knee.From(summaries);

        Assert.Null(Assert.Single(knees, k => k.Target == Ours).OfferedPerSecond);
        Assert.Null(Knee.Ratio(knees, "talk-paced", Ours, SignalRPeer.TargetName));
    }

    [Fact]
    public void A_load_that_lost_or_reordered_messages_is_never_the_knee_whatever_its_latency()
    {
        var knee = Assert.Single(Knee.From([Load(Ours, 25, 10), Load(Ours, 50, 20), Load(Ours, 75, 30) with { Clean = false }]));

        Assert.Equal(1_000, knee.OfferedPerSecond);
        Assert.Empty(knee.MissedBelow);
    }

    [Fact]
    public void Ours_is_compared_to_SignalR_as_the_ratio_of_the_knees()
    {
        IReadOnlyList<ScenarioSummary> summaries =
        [
            Load(Ours, 25, 30), Load(Ours, 50, 120),
            Load(SignalRPeer.TargetName, 25, 10), Load(SignalRPeer.TargetName, 50, 60), Load(SignalRPeer.TargetName, 100, 99),
            Load(Ours, 100, 50) with { Scenario = "chat" },
        ];

        var knees = Knee.From(summaries);

        Assert.Equal(3, knees.Count);
        Assert.Equal(500.0 / 2_000, Knee.Ratio(knees, "talk-paced", Ours, SignalRPeer.TargetName)!.Value, 1e-12);
        Assert.Null(Knee.Ratio(knees, "chat", Ours, SignalRPeer.TargetName)); // SignalR did not run chat
    }

    [Fact]
    public void The_burst_ratios_and_limits_leave_the_paced_scenarios_out()
    {
        IReadOnlyList<ScenarioSummary> summaries = [Load(Ours, 25, 30), Load(SignalRPeer.TargetName, 25, 10), Load(RawSocketServer.TargetName, 25, 5)];

        Assert.Empty(Ratio.From(summaries, Ours));
        Assert.Empty(MachineLimit.From(summaries, Ours, cores: 2));
    }

    [Fact]
    public void The_report_shows_every_load_the_knees_and_a_chart_of_latency_against_offered_load()
    {
        IReadOnlyList<ScenarioSummary> summaries =
        [
            Load(Ours, 25, 30), Load(Ours, 50, 120), Load(SignalRPeer.TargetName, 25, 10), Load(SignalRPeer.TargetName, 50, 60),
            Load(Ours, 2_000, 40, rate: 1) with { Scenario = "chat" }, Load(SignalRPeer.TargetName, 2_000, 20, rate: 1) with { Scenario = "chat" },
        ];
        var report = Report(summaries);

        var markdown = MarkdownReport.Render(report);
        var svg = SvgChart.Render(report);

        Assert.Contains("## Paced: latency at a steady rate", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("## Results (medians)", markdown, StringComparison.Ordinal); // no burst scenario ran
        Assert.Contains("talk-paced: knee (p99 ≤ 100 ms, clean) Chat 500 msg/s, raw socket not measured, SignalR ≥ 1,000 msg/s; Chat ÷ SignalR 0.50×.", markdown, StringComparison.Ordinal);
        Assert.Contains("| talk-paced |      50 | Chat    |         1,000 |", markdown, StringComparison.Ordinal);
        Assert.Contains("talk-paced: latency against offered load", svg, StringComparison.Ordinal);
        Assert.Contains("chat: latency at 2,000 msg/s offered", svg, StringComparison.Ordinal);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Count(svg, "<polyline")); // p99 and p50 for each of two targets
        Assert.Contains(">100 ms</text>", svg, StringComparison.Ordinal);
        System.Xml.Linq.XDocument.Parse(svg); // well-formed
    }

    static BenchReport Report(IReadOnlyList<ScenarioSummary> summaries) => new()
    {
        StartedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch,
        Machine = new MachineInfo(2, 24, "test", "test", "Release", "Release"),
        Settings = new RunSettings(["talk-paced", "chat"], ["signalr"], 100, 100, 1, 0, 1, 0, 5, 0, "test", false, new Dictionary<string, string>())
        {
            Paced = new PacedSettings(20, [25, 50], 2_000, 20, 1, 60),
        },
        Targets = [],
        Summaries = summaries,
        Ratios = [],
        Knees = Knee.From(summaries),
        Rounds = [],
        Notes = [],
    };

    static ScenarioSummary Load(string target, int clients, double p99, double rate = 20) => new()
    {
        Scenario = "talk-paced",
        Target = target,
        Repetitions = 1,
        Clients = clients,
        OfferedPerSecond = clients * rate,
        MessagesPerRound = clients * 100,
        AcceptedPerSecond = clients * rate,
        DeliveriesPerSecond = clients * clients * rate,
        Latency = new LatencySummary(1, p99 / 2, p99 * 0.8, p99, p99 * 2),
        PacerLag = new LatencySummary(1, 0.1, 0.2, 0.5, 1),
        Lost = 0,
        Duplicated = 0,
        LostInAllRepetitions = 0,
        DuplicatedInAllRepetitions = 0,
        Clean = true,
        CpuSeconds = new Dictionary<string, double> { [CpuGroups.SignalR] = 0.1, [CpuGroups.Gateways] = 0.3, [CpuGroups.History] = 0.1, [CpuGroups.Broker] = 0.2 },
        Spread = new Dictionary<string, int>(),
    };
}

using System.Diagnostics;
using System.Globalization;
using Chat.Bench.Diagnostics;
using Chat.Bench.Reporting;
using Chat.Bench.Scenarios;
using Chat.Bench.Workload;

namespace Chat.Bench;

/// <summary>
/// Runs one scenario against its targets: warm-up rounds for every target (at the scenario's heaviest load), then for
/// each load the repetitions, interleaving the targets so that a disturbance of the machine does not fall on one only.
/// Prints a row per round.
/// </summary>
public sealed class ScenarioRunner(BenchOptions options, TextWriter console)
{
    /// <summary>The warm-up goes on past <see cref="BenchOptions.Warmup"/> while the JIT compilers of the target's servers and the bench use more than this share of a core…</summary>
    public const double JitQuietShare = 0.02;

    /// <summary>… but not past this many times <see cref="BenchOptions.Warmup"/>.</summary>
    public const int MaxWarmupFactor = 3;

    /// <summary>Runs <paramref name="scenario"/>; adds a line per target's warm-up to <paramref name="warmups"/>.</summary>
    public async Task<IReadOnlyList<RoundResult>> RunAsync(BenchScenario scenario, IReadOnlyList<TargetRun> targets, IRoundMeter meter,
        ICollection<string> warmups, CancellationToken cancellationToken)
    {
        var runs = targets.Where(t => scenario.Name == TalkScenario.Name || !t.TalkOnly).ToList();
        console.WriteLine();
        console.WriteLine(scenario.Headline);
        if (options.Warmup > TimeSpan.Zero)
        {
            foreach (var run in runs)
            {
                warmups.Add(await WarmUpAsync(scenario, run, cancellationToken));
            }
        }

        var rounds = new List<RoundResult>();
        foreach (var load in scenario.Loads)
        {
            for (var repetition = 1; repetition <= options.Repetitions; repetition++)
            {
                foreach (var run in runs)
                {
                    var plan = load();
                    var size = scenario.Loads.Count > 1 ? $" {plan.Clients,4}" : "";
                    var label = $"{scenario.Name,-10}{size} rep {repetition}/{options.Repetitions} {run.Name,-11}";
                    var progress = new ConsoleProgress(console, label);
                    var result = await run.Run(plan, repetition, progress, meter, cancellationToken);
                    progress.Clear();
                    console.WriteLine($"{label} {Row(result)}");
                    rounds.Add(result);
                }
            }
        }

        return rounds;
    }

    /// <summary>
    /// Rounds until the warm-up time is up (every target gets at least that time under load, whatever its speed), then on
    /// while the JIT compiler is still promoting methods in the servers (or the clients).
    /// </summary>
    async Task<string> WarmUpAsync(BenchScenario scenario, TargetRun run, CancellationToken cancellationToken)
    {
        var label = $"{scenario.Name,-10} warm-up {run.Name,-11}";
        var started = Stopwatch.StartNew();
        var round = 0;
        RoundResult warmup;
        using var jit = JitActivity.Start(run.ServerPids());
        double? jitShare;
        do
        {
            var progress = new ConsoleProgress(console, $"{label} round {++round}");
            warmup = await run.Run(scenario.Warmup(), 0, progress, new CpuMeter(() => new Dictionary<string, IReadOnlyList<int>>()), cancellationToken);
            jitShare = jit.Sample();
            progress.Clear();
        }
        while (started.Elapsed < options.Warmup || ((jitShare ?? 1) > JitQuietShare && started.Elapsed < options.Warmup * MaxWarmupFactor));

        var jitText = jitShare is { } share ? $"{share:P0} of a core" : "not measured";
        console.WriteLine($"{label} {round} rounds in {started.Elapsed.TotalSeconds:0} s (JIT over the last 5 s: {jitText}), the last: {Row(warmup)}");
        return $"{scenario.Name} {run.Name}: {round} rounds in {started.Elapsed.TotalSeconds:0} s, JIT {jitText} at the end";
    }

    /// <summary>One round in a line: rates, latency, the checks; for a paced round also the offered rate and the pacer's lag.</summary>
    public static string Row(RoundResult r)
    {
        var stored = r.ExpectedStored is { } expected ? $"  stored {r.Stored:N0}/{expected:N0}" : "";
        var verdict = r.IsClean ? "ok" : "FAIL";
        var offered = r.OfferedPerSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $"offered {r.OfferedPerSecond,7:N0}/s  ") : "";
        var lag = r.PacerLag is { } pacer && r.SendLag is { } send
            ? $"  pacer / send lag p99 {TextTable.Milliseconds(pacer.P99)} / {TextTable.Milliseconds(send.P99)} ms{(r.BehindSchedule ? $" (behind schedule; bench GC pauses {r.BenchGcPauseMilliseconds:N0} ms)" : "")}"
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{offered}accepted {r.AcceptedPerSecond,9:N0}/s  deliveries {r.DeliveriesPerSecond,10:N0}/s  p50 {TextTable.Milliseconds(r.Latency.P50),6}  p99 {TextTable.Milliseconds(r.Latency.P99),6}  max {TextTable.Milliseconds(r.Latency.Max),6} ms  lost {r.Lost:N0}  dup {r.Duplicated:N0}  reord {r.Reordered:N0}{stored}{lag}  {verdict}")
            + (r.Problem is null ? "" : $"  ({r.Problem})");
    }
}

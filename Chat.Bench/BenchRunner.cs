using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Chat.Bench.Baselines;
using Chat.Bench.Diagnostics;
using Chat.Bench.Reporting;
using Chat.Bench.Scenarios;
using Chat.Bench.Targets;
using Chat.Bench.Workload;

namespace Chat.Bench;

/// <summary>
/// One bench run: starts (or attaches to) the app and the baselines, runs every scenario against every target with a
/// warm-up and interleaved repetitions, prints a row per round and the tables at the end, and writes the report.
/// </summary>
public sealed class BenchRunner(BenchOptions options, TextWriter console)
{
    const string Ours = "Chat";

    delegate Task<RoundResult> RoundRunner(WorkloadPlan plan, int repetition, IProgress<WorkloadProgress> progress, IRoundMeter meter, CancellationToken cancellationToken);

    sealed record TargetRun(string Name, string Description, RoundRunner Run, Func<IEnumerable<int>> ServerPids, bool RoomsApply = true);

    /// <summary>The warm-up goes on past <see cref="BenchOptions.Warmup"/> while the JIT compilers of the target's servers and the bench use more than this share of a core…</summary>
    const double JitQuietShare = 0.02;

    /// <summary>… but not past this many times <see cref="BenchOptions.Warmup"/>.</summary>
    const int MaxWarmupFactor = 3;

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var stamp = startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var output = options.ResolveOut();
        using var logs = new FileLoggerProvider(Path.Combine(output, "tmp", stamp, "bench.log"));
        var benchBuild = typeof(BenchRunner).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";
        var notes = new List<string>();

        console.WriteLine($"Chat.Bench: {options.Clients} clients × {options.Messages} messages, {options.Repetitions} repetitions, "
            + $"scenarios {string.Join(", ", options.Scenarios)}, baselines {(options.Baselines.Count == 0 ? "none" : string.Join(", ", options.Baselines))}");
        if (benchBuild != "Release")
        {
            console.WriteLine($"warning: the bench is a {benchBuild} build, and so is the app it starts: use 'dotnet run -c Release --project Chat.Bench'");
        }

        console.WriteLine($"log: {logs.FilePath}");
        var background = await MeasureBackgroundLoadAsync(cancellationToken);
        if (background is { } load)
        {
            console.WriteLine($"machine already {load:P0} busy with other work before the run{(load > 0.2 ? ": figures will be noisy" : "")}");
        }

        var appSettings = options.Gateways.Count == 0 ? options.Settings : new Dictionary<string, string>();
        ChatApp? app = null;
        RawSocketServer? socket = null;
        SignalRPeer? signalR = null;
        try
        {
            if (options.Gateways.Count == 0)
            {
                console.Write("starting the app through the AppHost (RabbitMQ, history, 2 gateways) … ");
                var started = TimeProvider.System.GetTimestamp();
                app = await ChatApp.StartAsync(appSettings, options.TraceRatio, logs, cancellationToken);
                console.WriteLine($"ready in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0} s ({app.BuildConfiguration} build, "
                    + $"gateways {string.Join(", ", app.Gateways.Select(g => g.Address.Authority))})");
            }
            else
            {
                app = ChatApp.Attach(options.Gateways, options.History, options.Broker);
                console.WriteLine($"targeting the running app at {string.Join(", ", options.Gateways)}");
                console.WriteLine("its own limits apply (by default 20 messages a second, bursts of 40, per connection): start it with "
                    + "--Gateway:MessagesPerSecond=100000 --Gateway:MessageBurst=100000 --Gateway:SendQueueCapacity=100000, or messages above the burst are refused");
                notes.Add("The bench targeted a running app and could not raise its limits; messages refused by its rate limit count as refused and lost.");
            }

            var raised = appSettings.Where(s => BenchOptions.LimitDefaults.ContainsKey(s.Key)).ToList();
            if (raised.Count > 0)
            {
                var text = string.Join(", ", raised.Select(s => $"{s.Key} {BenchOptions.LimitDefaults[s.Key]} → {s.Value}"));
                console.WriteLine($"limits raised for the bench: {text}");
                notes.Add($"The bench raised the gateway's limits (configuration, not code): {text}. With the defaults, 100 clients sending 100 messages at once would be answered `rate_limited`.");
            }

            var others = appSettings.Where(s => !BenchOptions.LimitDefaults.ContainsKey(s.Key)).ToList();
            if (others.Count > 0)
            {
                notes.Add($"Other AppHost configuration set with --set: {string.Join(", ", others.Select(s => $"{s.Key}={s.Value}"))}.");
            }

            var targets = new List<TargetRun>();
            var baselineLogger = logs.CreateLogger("Chat.Bench.Baselines"); // the baseline servers' warnings
            var ours = app.CreateTarget(options.ViaProxy);
            targets.Add(new TargetRun(Ours, ours.Description, (plan, rep, progress, meter, token) => WorkloadRunner.RunAsync(ours, plan, rep, progress, meter, token),
                () => app.ProcessGroups().Where(g => g.Key is CpuGroups.Gateways or CpuGroups.History).SelectMany(g => g.Value)));
            if (options.Baselines.Contains("broker"))
            {
                if (app.BrokerConnectionString is { } broker)
                {
                    targets.Add(new TargetRun(RawBrokerBaseline.Name, RawBrokerBaseline.Description,
                        (plan, rep, progress, meter, token) => RawBrokerBaseline.RunAsync(broker, plan, rep, progress, meter, token), () => [], RoomsApply: false));
                }
                else
                {
                    console.WriteLine("raw broker baseline skipped: give the running app's broker with --broker amqp://…");
                }
            }

            if (options.Baselines.Contains("socket"))
            {
                socket = await RawSocketServer.StartAsync(baselineLogger, cancellationToken);
                targets.Add(new TargetRun(socket.Name, socket.Description, (plan, rep, progress, meter, token) => WorkloadRunner.RunAsync(socket, plan, rep, progress, meter, token),
                    () => [socket.Pid]));
            }

            if (options.Baselines.Contains("signalr"))
            {
                signalR = await SignalRPeer.StartAsync(options.RedisServer, baselineLogger, cancellationToken);
                targets.Add(new TargetRun(signalR.Name, signalR.Description, (plan, rep, progress, meter, token) => WorkloadRunner.RunAsync(signalR, plan, rep, progress, meter, token),
                    () => signalR.Pids));
            }

            var meter = new CpuMeter(() =>
            {
                var groups = new Dictionary<string, IReadOnlyList<int>>(app.ProcessGroups()) { [CpuGroups.Bench] = [Environment.ProcessId] };
                if (socket is not null)
                {
                    groups[CpuGroups.SocketServer] = [socket.Pid];
                }

                if (signalR is not null)
                {
                    groups[CpuGroups.SignalR] = signalR.Pids;
                }

                return groups;
            });

            var warmups = new List<string>();
            var workload = new WorkloadOptions(options.Clients, options.Messages, options.Window) { StallTimeout = options.StallTimeout };
            var rounds = new List<RoundResult>();
            foreach (var scenario in options.Scenarios.Where(s => s is TalkScenario.Name or RoomsScenario.Name))
            {
                WorkloadPlan NewPlan(WorkloadOptions size) => scenario == TalkScenario.Name
                    ? TalkScenario.Plan(size)
                    : RoomsScenario.Plan(size, options.RoomSize);

                var runs = targets.Where(t => scenario == TalkScenario.Name || t.RoomsApply).ToList();
                console.WriteLine();
                console.WriteLine(scenario == TalkScenario.Name
                    ? $"talk: {options.Clients} clients in one room, each sends {options.Messages} and receives {(long)options.Clients * options.Messages:N0}"
                    : $"rooms: {options.Clients} clients in rooms of {options.RoomSize}, each sends {options.Messages} and receives {(long)Math.Min(options.RoomSize, options.Clients) * options.Messages:N0}");
                if (options.Warmup > TimeSpan.Zero)
                {
                    foreach (var run in runs)
                    {
                        // Rounds until the warm-up time is up (every target gets at least that time under load, whatever its
                        // speed), then on while the JIT compiler is still promoting methods in the servers (or the clients).
                        var label = $"{scenario,-6} warm-up {run.Name,-11}";
                        var started = Stopwatch.StartNew();
                        var round = 0;
                        RoundResult warmup;
                        using var jit = JitActivity.Start(run.ServerPids());
                        double? jitShare;
                        do
                        {
                            var progress = new ConsoleProgress(console, $"{label} round {++round}");
                            warmup = await run.Run(NewPlan(workload with { Messages = options.WarmupMessages }), 0, progress, new CpuMeter(() => new Dictionary<string, IReadOnlyList<int>>()), cancellationToken);
                            jitShare = jit.Sample();
                            progress.Clear();
                        }
                        while (started.Elapsed < options.Warmup || ((jitShare ?? 1) > JitQuietShare && started.Elapsed < options.Warmup * MaxWarmupFactor));

                        var jitText = jitShare is { } share ? $"{share:P0} of a core" : "not measured";
                        console.WriteLine($"{label} {round} rounds in {started.Elapsed.TotalSeconds:0} s (JIT over the last 5 s: {jitText}), the last: {Row(warmup)}");
                        warmups.Add($"{scenario} {run.Name}: {round} rounds in {started.Elapsed.TotalSeconds:0} s, JIT {jitText} at the end");
                    }
                }

                // Repetitions interleave the targets, so that a disturbance of the machine does not fall on one target only.
                for (var repetition = 1; repetition <= options.Repetitions; repetition++)
                {
                    foreach (var run in runs)
                    {
                        var label = $"{scenario,-6} rep {repetition}/{options.Repetitions} {run.Name,-11}";
                        var progress = new ConsoleProgress(console, label);
                        var result = await run.Run(NewPlan(workload), repetition, progress, meter, cancellationToken);
                        progress.Clear();
                        console.WriteLine($"{label} {Row(result)}");
                        rounds.Add(result);
                    }
                }
            }

            IdleResult? idle = null;
            if (options.Scenarios.Contains(IdleScenario.Name))
            {
                console.WriteLine();
                console.WriteLine($"idle: opening up to {options.IdleConnections:N0} connections in steps of {options.IdleStep:N0}");
                var progress = new ConsoleProgress(console, "idle  ");
                idle = await IdleScenario.RunAsync(app, ours, options.IdleConnections, options.IdleStep, options.IdleHold, progress, cancellationToken);
                progress.Clear();
            }

            var summaries = rounds.GroupBy(r => (r.Scenario, r.Target)).Select(g => ScenarioSummary.From([.. g])).ToList();
            notes.AddRange(StandingNotes(options, app));
            if (warmups.Count > 0)
            {
                notes.Add($"Warm-up: {string.Join("; ", warmups)}.");
            }

            var report = new BenchReport
            {
                StartedAt = startedAt,
                FinishedAt = DateTimeOffset.UtcNow,
                Label = options.Label,
                Machine = new MachineInfo(Environment.ProcessorCount, Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
                    RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, benchBuild, app.BuildConfiguration),
                Settings = new RunSettings(options.Scenarios, options.Baselines, options.Clients, options.Messages, options.Repetitions, (int)options.Warmup.TotalSeconds, options.WarmupMessages,
                    options.Window, options.RoomSize, options.IdleConnections,
                    app.Started ? "started by the bench through the AppHost" : $"running at {string.Join(", ", options.Gateways)}",
                    options.ViaProxy, appSettings),
                Targets = [.. targets.Select(t => new TargetInfo(t.Name, t.Description))],
                Summaries = summaries,
                Ratios = Ratio.From(summaries, Ours),
                Limits = MachineLimit.From(summaries, Ours, Environment.ProcessorCount),
                Idle = idle,
                Rounds = rounds,
                Notes = notes,
                BackgroundLoad = background,
            };

            var runDirectory = Path.Combine(output, stamp);
            ReportWriter.Write(report, runDirectory, Path.Combine(output, "latest"));
            console.WriteLine();
            console.Write(ReportTables.Results(report));
            if (report.Ratios.Count > 0)
            {
                console.WriteLine();
                console.Write(ReportTables.Ratios(report));
            }

            foreach (var limit in report.Limits)
            {
                console.WriteLine();
                console.WriteLine(ReportTables.LimitSummary(report, limit));
            }

            if (idle is not null)
            {
                console.WriteLine();
                console.WriteLine(ReportTables.IdleSummary(report));
            }

            console.WriteLine();
            console.WriteLine($"report: {runDirectory} (and {Path.Combine(output, "latest")})");
            return report;
        }
        finally
        {
            if (signalR is not null)
            {
                await signalR.DisposeAsync();
            }

            if (socket is not null)
            {
                await socket.DisposeAsync();
            }

            if (app is not null)
            {
                if (app.Started)
                {
                    console.WriteLine("stopping the app …");
                }

                await app.DisposeAsync();
            }
        }
    }

    /// <summary>The machine's busy share over 3 s before anything of the bench runs.</summary>
    static async Task<double?> MeasureBackgroundLoadAsync(CancellationToken cancellationToken)
    {
        var start = LocalProcess.MachineCpuSeconds();
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var end = LocalProcess.MachineCpuSeconds();
        return start is { } a && end is { } b && b.Total > a.Total ? (b.Busy - a.Busy) / (b.Total - a.Total) : null;
    }

    static string Row(RoundResult r)
    {
        var stored = r.ExpectedStored is { } expected ? $"  stored {r.Stored:N0}/{expected:N0}" : "";
        var verdict = r.IsClean ? "ok" : "FAIL";
        return string.Create(CultureInfo.InvariantCulture,
            $"accepted {r.AcceptedPerSecond,9:N0}/s  deliveries {r.DeliveriesPerSecond,10:N0}/s  p50 {TextTable.Milliseconds(r.Latency.P50),6}  p99 {TextTable.Milliseconds(r.Latency.P99),6}  max {TextTable.Milliseconds(r.Latency.Max),6} ms  lost {r.Lost:N0}  dup {r.Duplicated:N0}  reord {r.Reordered:N0}{stored}  {verdict}")
            + (r.Problem is null ? "" : $"  ({r.Problem})");
    }

    static IEnumerable<string> StandingNotes(BenchOptions options, ChatApp app)
    {
        yield return $"One machine ({Environment.ProcessorCount} cores): the load generator shares the CPU with every server. It is the bench process "
            + "(its thread pool does not spin, so that it leaves the CPU to the servers); every server is a process of its own on the same cores: the gateways, history, RabbitMQ, "
            + "DCP, the raw socket server, both SignalR instances and redis-server. "
            + "Absolute figures are therefore lower than with a separate load generator, and a target that needs less CPU leaves more for the clients.";
        yield return "Ours does more per message than the socket and SignalR baselines: every message is published with a confirm "
            + "(the ack waits for it), written to disk by the broker in the quorum queue `chat-history` and stored in SQLite. The raw broker baseline does the broker's part of that work alone.";
        if (app.Telemetry is { } telemetry)
        {
            var traced = options.TraceRatio >= 1
                ? "every message traced, as in development"
                : string.Create(CultureInfo.InvariantCulture, $"{options.TraceRatio:0.###%} of messages traced (parentbased_traceidratio), as a production deployment would sample, where `--trace-ratio 1` traces every one");
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Telemetry was on: {traced}; metrics every second. It was exported over OTLP/HTTP to a sink in the bench process that drops it, as a collector would take it: {telemetry.Requests:N0} exports, {telemetry.Bytes / (1024.0 * 1024):N0} MiB during the run. The baselines have none.");
        }

        yield return options.Warmup > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture,
                $"Before the repetitions every target ran warm-up rounds for at least {options.Warmup.TotalSeconds:0} s, and on (up to {options.Warmup.TotalSeconds * MaxWarmupFactor:0} s) while the JIT compiler in its servers and the bench used more than {JitQuietShare:P0} of a core: a server still promoting methods to optimised code is not at its steady state.")
            : "No warm-up: the servers were measured cold (the gateways' JIT compiler promotes methods through the first ~80,000 messages).";
        yield return options.ViaProxy
            ? "Clients connected through the AppHost's DCP proxy, which balances per TCP connection (a development-time proxy, in the path of every frame)."
            : $"Clients connected directly to each of the {app.Gateways.Count} gateway replicas, alternating (the AppHost's DCP proxy is a development-time component, left out of the path).";
        yield return options.Window == 0
            ? "Each client sends all its messages at once and then waits for everything (the talk's method), so latency includes queueing behind the client's own earlier messages."
            : $"Each client keeps at most {options.Window} messages unacknowledged.";
        yield return "Every figure is the median over the repetitions; lost, duplicated and reordered deliveries are also summed over all of them (check column: ok = none in any repetition, and the exact stored count).";
    }
}

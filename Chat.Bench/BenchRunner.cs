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
/// One bench run: starts the baselines, then for each configuration of the app (<see cref="AppConfiguration"/>) starts it
/// (or attaches to a running one), runs its scenarios against every target, and stops it; prints the tables at the end
/// and writes the report.
/// </summary>
public sealed class BenchRunner(BenchOptions options, TextWriter console)
{
    const string Ours = "Chat";

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var stamp = startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var output = options.ResolveOut();
        using var logs = new FileLoggerProvider(Path.Combine(output, "tmp", stamp, "bench.log"));
        var benchBuild = typeof(BenchRunner).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";
        var configurations = AppConfiguration.For(options);
        var notes = new List<string>();

        console.WriteLine($"Chat.Bench: scenarios {string.Join(", ", options.Scenarios)}, {options.Repetitions} repetitions, "
            + $"baselines {(options.Baselines.Count == 0 ? "none" : string.Join(", ", options.Baselines))}");
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

        ChatApp? app = null;
        RawSocketServer? socket = null;
        SignalRPeer? signalR = null;
        try
        {
            var baselineLogger = logs.CreateLogger("Chat.Bench.Baselines"); // the baseline servers' warnings
            if (options.Baselines.Contains("socket"))
            {
                socket = await RawSocketServer.StartAsync(baselineLogger, cancellationToken);
            }

            if (options.Baselines.Contains("signalr"))
            {
                signalR = await SignalRPeer.StartAsync(options.RedisServer, baselineLogger, cancellationToken);
            }

            var rounds = new List<RoundResult>();
            var warmups = new List<string>();
            var targetInfos = new Dictionary<string, TargetInfo>();
            IdleResult? idle = null;
            var scenarioRunner = new ScenarioRunner(options, console);
            foreach (var configuration in configurations)
            {
                app = await OpenAppAsync(configuration, logs, cancellationToken);
                notes.AddRange(BenchNotes.Configuration(configuration, options));
                var targets = Targets(app, socket, signalR, configuration);
                foreach (var target in targets)
                {
                    targetInfos.TryAdd(target.Name, new TargetInfo(target.Name, target.Description));
                }

                var meter = new CpuMeter(() => CpuGroupsOf(app, socket, signalR));
                foreach (var scenario in configuration.Scenarios.Where(s => s != IdleScenario.Name))
                {
                    rounds.AddRange(await scenarioRunner.RunAsync(BenchScenario.Create(scenario, options), targets, meter, warmups, cancellationToken));
                }

                if (configuration.Scenarios.Contains(IdleScenario.Name))
                {
                    console.WriteLine();
                    console.WriteLine($"idle: opening up to {options.IdleConnections:N0} connections in steps of {options.IdleStep:N0}");
                    var progress = new ConsoleProgress(console, "idle  ");
                    idle = await IdleScenario.RunAsync(app, app.CreateTarget(options.ViaProxy), options.IdleConnections, options.IdleStep, options.IdleHold, progress, cancellationToken);
                    progress.Clear();
                }

                if (app.Started && configuration != configurations[^1])
                {
                    console.WriteLine("stopping the app, to start it in the next configuration …");
                    await app.DisposeAsync();
                    app = null;
                }
            }

            var summaries = rounds.GroupBy(r => (r.Scenario, r.Target, r.Clients, r.OfferedPerSecond)).Select(g => ScenarioSummary.From([.. g])).ToList();
            notes.AddRange(BenchNotes.Standing(options, app!));
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
                    RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, benchBuild, app!.BuildConfiguration),
                Settings = new RunSettings(options.Scenarios, options.Baselines, options.Clients, options.Messages, options.Repetitions, (int)options.Warmup.TotalSeconds, options.WarmupMessages,
                    options.Window, options.RoomSize, options.IdleConnections,
                    app.Started ? "started by the bench through the AppHost" : $"running at {string.Join(", ", options.Gateways)}",
                    options.ViaProxy, options.Settings)
                {
                    Paced = new PacedSettings(options.Rate, options.Sweep, options.ChatConnections, options.ChatRoomSize, options.ChatRate, (int)options.ChatDuration.TotalSeconds),
                },
                Configurations = configurations,
                Targets = [.. targetInfos.Values],
                Summaries = summaries,
                Ratios = Ratio.From(summaries, Ours),
                Limits = MachineLimit.From(summaries, Ours, Environment.ProcessorCount),
                Knees = Knee.From(summaries),
                Idle = idle,
                Rounds = rounds,
                Notes = notes,
                BackgroundLoad = background,
            };

            var runDirectory = Path.Combine(output, stamp);
            ReportWriter.Write(report, runDirectory, Path.Combine(output, "latest"));
            ConsoleSummary.Write(console, report);
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

    /// <summary>Starts the app in <paramref name="configuration"/> through the AppHost, or attaches to the running one.</summary>
    async Task<ChatApp> OpenAppAsync(AppConfiguration configuration, FileLoggerProvider logs, CancellationToken cancellationToken)
    {
        console.WriteLine();
        if (options.Gateways.Count > 0)
        {
            console.WriteLine($"targeting the running app at {string.Join(", ", options.Gateways)}");
            console.WriteLine("its own limits apply (by default 20 messages a second, bursts of 40, per connection): for the burst scenarios start it with "
                + "--Gateway:MessagesPerSecond=100000 --Gateway:MessageBurst=100000 --Gateway:SendQueueCapacity=100000, or messages above the burst are refused");
            return ChatApp.Attach(options.Gateways, options.History, options.Broker);
        }

        var raised = configuration.Raised.Count == 0 ? "no limit raised" : $"limits raised: {string.Join(", ", configuration.Raised)}";
        console.Write($"starting the app through the AppHost (RabbitMQ, history, gateways) for {string.Join(", ", configuration.Scenarios)}, {configuration.Name} ({raised}) … ");
        var started = TimeProvider.System.GetTimestamp();
        var app = await ChatApp.StartAsync(configuration.Settings, options.TraceRatio, logs, cancellationToken);
        console.WriteLine($"ready in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0} s ({app.BuildConfiguration} build, "
            + $"gateways {string.Join(", ", app.Gateways.Select(g => g.Address.Authority))})");
        return app;
    }

    /// <summary>Ours, the raw broker (talk only, on the app's broker, when its address is known), the raw socket server and the SignalR peer.</summary>
    List<TargetRun> Targets(ChatApp app, RawSocketServer? socket, SignalRPeer? signalR, AppConfiguration configuration)
    {
        var targets = new List<TargetRun>
        {
            TargetRun.For(app.CreateTarget(options.ViaProxy),
                () => app.ProcessGroups().Where(g => g.Key is CpuGroups.Gateways or CpuGroups.History).SelectMany(g => g.Value)),
        };
        if (options.Baselines.Contains("broker") && configuration.Scenarios.Contains(TalkScenario.Name))
        {
            if (app.BrokerConnectionString is { } broker)
            {
                targets.Add(new TargetRun(RawBrokerBaseline.Name, RawBrokerBaseline.Description,
                    (plan, rep, progress, meter, token) => RawBrokerBaseline.RunAsync(broker, plan, rep, progress, meter, token), () => [], TalkOnly: true));
            }
            else
            {
                console.WriteLine("raw broker baseline skipped: give the running app's broker with --broker amqp://…");
            }
        }

        if (socket is not null)
        {
            targets.Add(TargetRun.For(socket, () => [socket.Pid]));
        }

        if (signalR is not null)
        {
            targets.Add(TargetRun.For(signalR, () => signalR.Pids));
        }

        return targets;
    }

    static Dictionary<string, IReadOnlyList<int>> CpuGroupsOf(ChatApp app, RawSocketServer? socket, SignalRPeer? signalR)
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
    }

    /// <summary>The machine's busy share over 3 s before anything of the bench runs.</summary>
    static async Task<double?> MeasureBackgroundLoadAsync(CancellationToken cancellationToken)
    {
        var start = LocalProcess.MachineCpuSeconds();
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var end = LocalProcess.MachineCpuSeconds();
        return start is { } a && end is { } b && b.Total > a.Total ? (b.Busy - a.Busy) / (b.Total - a.Total) : null;
    }
}

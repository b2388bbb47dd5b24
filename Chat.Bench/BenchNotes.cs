using System.Globalization;
using Chat.Bench.Targets;

namespace Chat.Bench;

/// <summary>The report's notes: what the figures include and leave out, and which configuration each scenario ran with.</summary>
public static class BenchNotes
{
    /// <summary>What each configuration of the app was, for the scenarios that ran against it.</summary>
    public static IEnumerable<string> Configuration(AppConfiguration configuration, BenchOptions options)
    {
        var scenarios = string.Join(", ", configuration.Scenarios);
        var raised = string.Join(", ", configuration.Raised);
        switch (configuration.Name)
        {
            case AppConfiguration.Running:
                yield return $"{scenarios}: the bench targeted a running app and could not change its configuration; messages refused by its rate limit count as refused and lost.";
                break;
            case AppConfiguration.RaisedLimits:
                yield return $"{scenarios}: the bench raised the gateway's limits (configuration, not code): {raised}. With the defaults, "
                    + $"{options.Clients} clients sending {options.Messages} messages at once would be answered `rate_limited`.";
                break;
            default:
                yield return $"{scenarios}: the app in its default configuration (its own app start, stopped in between if burst scenarios ran), "
                    + (raised.Length == 0
                        ? "no limit raised: each client's paced rate is within the gateway's 20 messages a second."
                        : $"only the rate limit raised, since a paced rate is above it: {raised}.");
                break;
        }

        var others = configuration.Settings.Where(s => !BenchOptions.LimitDefaults.ContainsKey(s.Key) || options.Settings.ContainsKey(s.Key)).ToList();
        if (others.Count > 0)
        {
            yield return $"{scenarios}: AppHost configuration set with --set: {string.Join(", ", others.Select(s => $"{s.Key}={s.Value}"))}.";
        }
    }

    /// <summary>What holds for every run.</summary>
    public static IEnumerable<string> Standing(BenchOptions options, ChatApp app)
    {
        yield return $"One machine ({Environment.ProcessorCount} cores): the load generator shares the CPU with every server. It is the bench process "
            + "(its thread pool does not spin, so that it leaves the CPU to the servers); every server is a process of its own on the same cores: the gateways, history, RabbitMQ, "
            + "DCP, the raw socket server, both SignalR instances and redis-server. Our services run in Production (ASPNETCORE_ENVIRONMENT). "
            + "Absolute figures are therefore lower than with a separate load generator, and a target that needs less CPU leaves more for the clients.";
        yield return "Ours does more per message than the socket and SignalR baselines: every message is published with a confirm "
            + "(the ack waits for it), written to disk by the broker in the quorum queue `chat-history` and stored in SQLite. The raw broker baseline does the broker's part of that work alone.";
        if (app.Telemetry is { } telemetry)
        {
            var traced = options.TraceRatio >= 1
                ? "every message traced, as in development"
                : string.Create(CultureInfo.InvariantCulture, $"{options.TraceRatio:0.###%} of messages traced (parentbased_traceidratio), as a production deployment would sample, where `--trace-ratio 1` traces every one");
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Telemetry was on: {traced}; metrics every second. It was exported over OTLP/HTTP to a sink in the bench process that drops it, as a collector would take it: {telemetry.Requests:N0} exports, {telemetry.Bytes / (1024.0 * 1024):N0} MiB during the last app's run. The baselines have none.");
        }

        yield return options.Warmup > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture,
                $"Before the repetitions every target ran warm-up rounds for at least {options.Warmup.TotalSeconds:0} s, and on (up to {options.Warmup.TotalSeconds * ScenarioRunner.MaxWarmupFactor:0} s) while the JIT compiler in its servers and the bench used more than {ScenarioRunner.JitQuietShare:P0} of a core: a server still promoting methods to optimised code is not at its steady state. Paced scenarios warm up at their heaviest load.")
            : "No warm-up: the servers were measured cold (the gateways' JIT compiler promotes methods through the first ~80,000 messages).";
        yield return options.ViaProxy
            ? "Clients connected through the AppHost's DCP proxy, which balances per TCP connection (a development-time proxy, in the path of every frame)."
            : $"Clients connected directly to each of the {app.Gateways.Count} gateway replicas, alternating (the AppHost's DCP proxy is a development-time component, left out of the path).";
        if (options.Scenarios.Any(s => s is "talk" or "rooms"))
        {
            yield return options.Window == 0
                ? "Burst scenarios (talk, rooms): each client sends all its messages at once and then waits for everything (the talk's method), so latency includes queueing behind the client's own earlier messages."
                : $"Burst scenarios (talk, rooms): each client keeps at most {options.Window} messages unacknowledged.";
        }

        if (options.Scenarios.Any(BenchOptions.PacedScenarios.Contains))
        {
            yield return "Paced scenarios (talk-paced, chat): open loop. One pacer thread hands every message to its client at its scheduled time, client i "
                + "offset by i / (N · R) s; no client waits for an acknowledgement. Each payload carries its scheduled time, and latency is measured from it, "
                + "so a send that went out late does not hide its delay. The pacer's thread runs at the lowest real-time priority (SCHED_FIFO 1) where the bench may set it (root or CAP_SYS_NICE), else at nice −10 (each round's `pacerPriority` in report.json says which). Pacer / send lag: from a message's scheduled time to the moment the pacer handed it out, and to the start of its send call "
                + string.Create(CultureInfo.InvariantCulture, $"(the load generator's own delay; above {ScheduleLag()} ms at p99 the bench did not keep its schedule).");
        }

        yield return "Every figure is the median over the repetitions; lost, duplicated and reordered deliveries are also summed over all of them (check column: ok = none in any repetition, and the exact stored count).";
    }

    static double ScheduleLag() => Workload.ScheduleLag.BehindScheduleMilliseconds;
}

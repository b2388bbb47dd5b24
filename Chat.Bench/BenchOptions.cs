using System.Globalization;

namespace Chat.Bench;

/// <summary>The bench's command line.</summary>
public sealed record BenchOptions
{
    public static readonly string[] AllScenarios = ["talk", "rooms", "idle"];
    public static readonly string[] AllBaselines = ["broker", "socket", "signalr"];

    /// <summary>The limits the bench raises on the gateways so that the platform, not its abuse protection, is measured.</summary>
    public static IReadOnlyDictionary<string, string> RaisedLimits { get; } = new Dictionary<string, string>
    {
        ["Gateway:MessagesPerSecond"] = "100000",
        ["Gateway:MessageBurst"] = "100000",
        ["Gateway:SendQueueCapacity"] = "100000",
        ["Gateway:MaxPublishesInFlight"] = "32",
    };

    /// <summary>The defaults of the limits above, for the report.</summary>
    public static IReadOnlyDictionary<string, string> LimitDefaults { get; } = new Dictionary<string, string>
    {
        ["Gateway:MessagesPerSecond"] = "20",
        ["Gateway:MessageBurst"] = "40",
        ["Gateway:SendQueueCapacity"] = "1024",
        ["Gateway:MaxPublishesInFlight"] = "1",
    };

    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;
    public IReadOnlyList<string> Baselines { get; init; } = AllBaselines;
    public int Clients { get; init; } = 100;
    public int Messages { get; init; } = 100;
    public int Repetitions { get; init; } = 3;

    /// <summary>
    /// How long each target runs warm-up rounds before a scenario's repetitions (zero: no warm-up). The servers reach
    /// their steady state only after tens of thousands of messages: measured on the gateway, tiered JIT compilation
    /// (with its instrumented tier) went on promoting methods through the first 80,000 messages, about 25 s of load,
    /// and a short warm-up left the repetitions half as fast as the steady state.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>Messages per client of each warm-up round.</summary>
    public int WarmupMessages { get; init; } = 100;

    public int Window { get; init; }
    public int RoomSize { get; init; } = 5;
    public int IdleConnections { get; init; } = 10_000;
    public int IdleStep { get; init; } = 2_500;

    /// <summary>How long to keep the idle connections open after the last step (to inspect the gateways meanwhile).</summary>
    public TimeSpan IdleHold { get; init; }
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(20);
    public string Out { get; init; } = "results";
    public IReadOnlyList<Uri> Gateways { get; init; } = [];
    public Uri? History { get; init; }
    public string? Broker { get; init; }
    public bool ViaProxy { get; init; }
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    public string RedisServer { get; init; } = Chat.Bench.Baselines.RedisServer.DefaultPath;
    public string? Label { get; init; }

    /// <summary>
    /// The share of messages traced in the app the bench starts: by default one in a hundred, as a production deployment
    /// would sample (the baselines have no telemetry at all); 1 traces every message, as the AppHost does in development.
    /// </summary>
    public double TraceRatio { get; init; } = DefaultTraceRatio;

    public const double DefaultTraceRatio = 0.01;
    public bool Help { get; init; }

    public const string Usage = """
        Chat.Bench: the 2013 talk's benchmark (connect, wait for a signal, send, receive all) against the Chat platform,
        the raw broker, a raw WebSocket server and a SignalR + Redis peer, in one run.

        dotnet run -c Release --project Chat.Bench -- [options]

          --scenario talk|rooms|idle|all   scenarios, comma-separated (all)
          --clients N                      clients (100)
          --messages M                     messages per client (100)
          --repetitions R                  repetitions; figures are their medians (3)
          --warmup S                       seconds of warm-up rounds per target before the repetitions, 0 for none (40);
                                           longer (up to 3 × S) while the target's JIT compilers are still busy
          --warmup-messages M              messages per client of each warm-up round (100)
          --window W                       unacknowledged messages per client, 0 = all at once as in the talk (0)
          --room-size K                    members per room in 'rooms' (5)
          --idle-connections C             idle connections to open in 'idle' (10000), in steps of --idle-step (2500)
          --idle-hold S                    keep them open S seconds more, e.g. to take a gcdump of a gateway (0)
          --baselines all|none|broker,socket,signalr
          --out DIR                        results folder (results): DIR/<timestamp>/ and DIR/latest/; a relative
                                           DIR is under the repository root (the folder of Chat.sln), if found
          --gateway URL[,URL]              target a running app's gateway(s) instead of starting one
          --history URL                    … and its history service (for the stored count)
          --trace-ratio R                  trace this share of messages (parentbased_traceidratio) (0.01, one in a
                                           hundred, as production would sample; 1: every one, as in development)
          --broker AMQP-URI                … and its broker (for the raw broker baseline)
          --via-proxy                      connect through the AppHost's proxy instead of to each replica
          --set KEY=VALUE                  AppHost configuration for the started app, e.g. --set Gateway:SendQueueCapacity=5000
          --stall-timeout S                end a round when nothing arrived for S seconds (20)
          --redis-server PATH              redis-server for the SignalR peer (/usr/bin/redis-server)
          --label TEXT                     a label for the report
        """;

    /// <summary>
    /// <see cref="Out"/> as a full path: relative to the repository root (the nearest folder above the current one that
    /// holds <c>Chat.sln</c>; <c>dotnet run --project</c> runs in the project's folder), else to the current folder.
    /// </summary>
    public string ResolveOut()
    {
        if (Path.IsPathRooted(Out))
        {
            return Out;
        }

        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Chat.sln")))
            {
                return Path.Combine(directory.FullName, Out);
            }
        }

        return Path.GetFullPath(Out);
    }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        var settings = new Dictionary<string, string>(RaisedLimits);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{arg} needs a value");
            int Int() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : throw new FormatException($"{arg} needs a whole number");
            options = arg switch
            {
                "--scenario" or "--scenarios" => options with { Scenarios = List(Next(), AllScenarios, "scenario") },
                "--baselines" or "--baseline" => options with { Baselines = List(Next(), AllBaselines, "baseline") },
                "--clients" => options with { Clients = Math.Max(1, Int()) },
                "--messages" => options with { Messages = Math.Max(1, Int()) },
                "--repetitions" => options with { Repetitions = Math.Max(1, Int()) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(Math.Max(0, Int())) },
                "--warmup-messages" => options with { WarmupMessages = Math.Max(1, Int()) },
                "--window" => options with { Window = Int() },
                "--room-size" => options with { RoomSize = Math.Max(1, Int()) },
                "--idle-connections" => options with { IdleConnections = Int() },
                "--idle-step" => options with { IdleStep = Math.Max(1, Int()) },
                "--idle-hold" => options with { IdleHold = TimeSpan.FromSeconds(Int()) },
                "--stall-timeout" => options with { StallTimeout = TimeSpan.FromSeconds(Math.Max(1, Int())) },
                "--out" => options with { Out = Next() },
                "--gateway" => options with { Gateways = [.. options.Gateways, .. Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u))] },
                "--history" => options with { History = new Uri(Next()) },
                "--broker" => options with { Broker = Next() },
                "--via-proxy" => options with { ViaProxy = true },
                "--redis-server" => options with { RedisServer = Next() },
                "--label" => options with { Label = Next() },
                "--trace-ratio" => options with { TraceRatio = Math.Clamp(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture), 0, 1) },
                "--set" => Set(options, Next()),
                "--help" or "-h" or "-?" => options with { Help = true },
                _ => throw new FormatException($"unknown option {arg}"),
            };
        }

        return options with { Settings = settings };

        BenchOptions Set(BenchOptions current, string pair)
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new FormatException($"--set needs KEY=VALUE, not {pair}");
            }

            settings[pair[..separator]] = pair[(separator + 1)..];
            return current;
        }
    }

    static string[] List(string value, string[] all, string what)
    {
        if (value == "all")
        {
            return all;
        }

        if (value == "none")
        {
            return [];
        }

        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.ToLowerInvariant()).ToArray();
        var unknown = items.Except(all).ToList();
        return unknown.Count == 0 ? items : throw new FormatException($"unknown {what}: {string.Join(", ", unknown)} (known: {string.Join(", ", all)})");
    }
}

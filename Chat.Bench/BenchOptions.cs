using System.Globalization;

namespace Chat.Bench;

/// <summary>The bench's command line, with every default.</summary>
public sealed record BenchOptions
{
    public static readonly string[] AllScenarios = ["talk", "rooms", "talk-paced", "chat", "idle"];

    /// <summary>The scenarios that send at a steady rate (open loop) and run against the app in its default configuration.</summary>
    public static readonly string[] PacedScenarios = ["talk-paced", "chat"];
    public static readonly string[] AllBaselines = ["broker", "socket", "signalr"];

    /// <summary>
    /// The limits the bench raises on the gateways for the burst scenarios (talk, rooms), so that the platform, not its
    /// abuse protection, is measured when every client sends everything at once.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RaisedLimits { get; } = new Dictionary<string, string>
    {
        ["Gateway:MessagesPerSecond"] = "100000",
        ["Gateway:MessageBurst"] = "100000",
    };

    /// <summary>The gateway's own defaults of the limits above (from its options class), for the report.</summary>
    public static IReadOnlyDictionary<string, string> LimitDefaults { get; } = new Dictionary<string, string>
    {
        ["Gateway:MessagesPerSecond"] = new Gateway.GatewayOptions().MessagesPerSecond.ToString(CultureInfo.InvariantCulture),
        ["Gateway:MessageBurst"] = new Gateway.GatewayOptions().MessageBurst.ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;
    public IReadOnlyList<string> Baselines { get; init; } = AllBaselines;
    public int Clients { get; init; } = 100;
    public int Messages { get; init; } = 100;
    public int Repetitions { get; init; } = 3;

    /// <summary>Messages a second each client sends in talk-paced: the protocol's rate limit.</summary>
    public double Rate { get; init; } = 20;

    /// <summary>The clients in one room of each talk-paced load, lowest first.</summary>
    public IReadOnlyList<int> Sweep { get; init; } = [25, 50, 75, 100];

    /// <summary>The chat scenario: connections, members per room, messages a second each, for how long.</summary>
    public int ChatConnections { get; init; } = 2_000;
    public int ChatRoomSize { get; init; } = 20;
    public double ChatRate { get; init; } = 1;
    public TimeSpan ChatDuration { get; init; } = TimeSpan.FromSeconds(60);

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
    /// <summary>AppHost configuration given with <c>--set</c>, for every app the bench starts (over the limits it raises).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    public string RedisServer { get; init; } = Chat.Bench.Baselines.RedisServer.DefaultPath;
    public string? Label { get; init; }

    /// <summary>
    /// The share of messages traced in the app the bench starts: by default one in a hundred, as a production deployment
    /// would sample (the baselines have no telemetry at all); 1 traces every message, as the AppHost does in development.
    /// </summary>
    public double TraceRatio { get; init; } = DefaultTraceRatio;

    public const double DefaultTraceRatio = 0.01;

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
}

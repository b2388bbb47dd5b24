using System.CommandLine;

namespace Chat.Bench;

/// <summary>
/// The bench's command line on System.CommandLine: every option of <see cref="BenchOptions"/>, its help generated from
/// the descriptions below, its defaults read from the record, so they live in one place.
/// </summary>
public static class BenchCommandLine
{
    static readonly BenchOptions Defaults = new();

    static readonly Option<string[]> Scenarios = OptionFactory.Choice("--scenario", "--scenarios", BenchOptions.AllScenarios, Defaults.Scenarios, "scenario",
        "Scenarios, comma-separated: all, or some of");
    static readonly Option<string[]> Baselines = OptionFactory.Choice("--baselines", "--baseline", BenchOptions.AllBaselines, Defaults.Baselines, "baseline",
        "Baselines besides Chat, comma-separated: all, none, or some of");
    static readonly Option<int> Clients = OptionFactory.Whole("--clients", "N", Defaults.Clients, "Clients in talk and rooms.");
    static readonly Option<int> Messages = OptionFactory.Whole("--messages", "M", Defaults.Messages, "Messages per client in talk, rooms and talk-paced.");
    static readonly Option<int> Repetitions = OptionFactory.Whole("--repetitions", "R", Defaults.Repetitions, "Repetitions; figures are their medians.");
    static readonly Option<double> Rate = OptionFactory.PerSecond("--rate", Defaults.Rate,
        "talk-paced: messages a second each client sends, open loop, the clients staggered over one period.");
    static readonly Option<int[]> Sweep = new("--sweep")
    {
        HelpName = "N[,N…]",
        Arity = ArgumentArity.ExactlyOne,
        DefaultValueFactory = _ => [.. Defaults.Sweep],
        Description = "talk-paced: the clients in the room of each load, comma-separated; the knee is the highest load whose p99 stays within 100 ms.",
        CustomParser = result =>
        {
            var values = result.Tokens[^1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var loads = values.Select(v => int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
            if (loads.Length == 0 || loads.Any(n => n < 1))
            {
                result.AddError($"--sweep needs whole numbers of clients above 0, not {result.Tokens[^1].Value}");
            }

            return [.. loads.Distinct().Order()];
        },
    };

    static readonly Option<int> ChatConnections = OptionFactory.Whole("--chat-connections", "C", Defaults.ChatConnections, "chat: connections, in rooms of --chat-room-size.");
    static readonly Option<int> ChatRoomSize = OptionFactory.Whole("--chat-room-size", "K", Defaults.ChatRoomSize, "chat: members per room.");
    static readonly Option<double> ChatRate = OptionFactory.PerSecond("--chat-rate", Defaults.ChatRate, "chat: messages a second each connection sends, open loop.");
    static readonly Option<int> ChatDuration = OptionFactory.Whole("--chat-duration", "S", (int)Defaults.ChatDuration.TotalSeconds, "chat: seconds each round sends for.");
    static readonly Option<int> Warmup = OptionFactory.Whole("--warmup", "S", (int)Defaults.Warmup.TotalSeconds,
        "Seconds of warm-up rounds per target before the repetitions, 0 for none; longer (up to 3 × S) while the target's JIT compilers are still busy.");
    static readonly Option<int> WarmupMessages = OptionFactory.Whole("--warmup-messages", "M", Defaults.WarmupMessages, "Messages per client of each warm-up round.");
    static readonly Option<int> Window = OptionFactory.Whole("--window", "W", Defaults.Window, "Unacknowledged messages per client, 0 = all at once as in the talk.");
    static readonly Option<int> RoomSize = OptionFactory.Whole("--room-size", "K", Defaults.RoomSize, "Members per room in 'rooms'.");
    static readonly Option<int> IdleConnections = OptionFactory.Whole("--idle-connections", "C", Defaults.IdleConnections, "Idle connections to open in 'idle', in steps of --idle-step.");
    static readonly Option<int> IdleStep = OptionFactory.Whole("--idle-step", "C", Defaults.IdleStep, "Connections opened per step in 'idle'.");
    static readonly Option<int> IdleHold = OptionFactory.Whole("--idle-hold", "S", (int)Defaults.IdleHold.TotalSeconds,
        "Keep the idle connections open S seconds more, e.g. to take a gcdump of a gateway.");
    static readonly Option<int> StallTimeout = OptionFactory.Whole("--stall-timeout", "S", (int)Defaults.StallTimeout.TotalSeconds, "End a round when nothing arrived for S seconds.");
    static readonly Option<string> Out = new("--out")
    {
        HelpName = "DIR",
        DefaultValueFactory = _ => Defaults.Out,
        Description = "Results folder: DIR/<timestamp>/ and DIR/latest/; a relative DIR is under the repository root (the folder of Chat.sln), if found.",
    };

    static readonly Option<Uri[]> Gateways = new("--gateway")
    {
        HelpName = "URL[,URL]",
        Description = "Target a running app's gateway(s) instead of starting one.",
        CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(u => OptionFactory.AbsoluteUri(result, u))],
    };

    static readonly Option<Uri?> History = new("--history")
    {
        HelpName = "URL",
        Description = "… and its history service (for the stored count).",
        CustomParser = result => OptionFactory.AbsoluteUri(result, result.Tokens[^1].Value),
    };

    static readonly Option<string?> Broker = new("--broker") { HelpName = "AMQP-URI", Description = "… and its broker (for the raw broker baseline)." };
    static readonly Option<double> TraceRatio = new("--trace-ratio")
    {
        HelpName = "R",
        DefaultValueFactory = _ => Defaults.TraceRatio,
        Description = "Trace this share of messages (parentbased_traceidratio): one in a hundred as production would sample; 1: every one, as in development.",
    };

    static readonly Option<bool> ViaProxy = new("--via-proxy") { Description = "Connect through the AppHost's proxy instead of to each replica." };
    static readonly Option<string[]> Set = new("--set")
    {
        HelpName = "KEY=VALUE",
        Description = "AppHost configuration for every app the bench starts, over the limits it raises, e.g. --set Gateway:SendQueueCapacity=5000 (repeatable).",
        Validators = { OptionFactory.KeyValuePairs },
    };

    static readonly Option<string> RedisServer = new("--redis-server")
    {
        HelpName = "PATH",
        DefaultValueFactory = _ => Defaults.RedisServer,
        Description = "redis-server for the SignalR peer.",
    };

    static readonly Option<string?> Label = new("--label") { HelpName = "TEXT", Description = "A label for the report." };

    /// <summary>The root command with every option; its help is <c>--help</c>.</summary>
    public static RootCommand Command { get; } = new(
        "Chat.Bench: the 2013 talk's benchmark (connect, wait for a signal, send, receive all) and paced, open-loop scenarios "
        + "(a steady rate, latency from each message's scheduled time) against the Chat platform, the raw broker, a raw WebSocket "
        + "server and a SignalR + Redis peer, in one run. Run it with: dotnet run -c Release --project Chat.Bench -- [options]")
    {
        Scenarios, Baselines, Clients, Messages, Repetitions, Rate, Sweep, ChatConnections, ChatRoomSize, ChatRate, ChatDuration, Warmup, WarmupMessages, Window, RoomSize, IdleConnections, IdleStep, IdleHold,
        Out, Gateways, History, Broker, TraceRatio, ViaProxy, Set, StallTimeout, RedisServer, Label,
    };

    public static ParseResult Parse(IReadOnlyList<string> args) => Command.Parse(args);

    /// <summary>Parses and binds, or throws <see cref="FormatException"/> with every parse error.</summary>
    public static BenchOptions ParseOptions(IReadOnlyList<string> args)
    {
        var result = Parse(args);
        return result.Errors.Count == 0 ? ToOptions(result) : throw new FormatException(string.Join(Environment.NewLine, result.Errors.Select(e => e.Message)));
    }

    /// <summary>The options of a parse result without errors.</summary>
    public static BenchOptions ToOptions(ParseResult result)
    {
        var settings = new Dictionary<string, string>();
        foreach (var pair in result.GetValue(Set) ?? [])
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            settings[pair[..separator]] = pair[(separator + 1)..];
        }

        return new BenchOptions
        {
            Scenarios = result.GetRequiredValue(Scenarios),
            Baselines = result.GetRequiredValue(Baselines),
            Clients = Math.Max(1, result.GetValue(Clients)),
            Messages = Math.Max(1, result.GetValue(Messages)),
            Repetitions = Math.Max(1, result.GetValue(Repetitions)),
            Rate = result.GetValue(Rate),
            Sweep = result.GetRequiredValue(Sweep),
            ChatConnections = Math.Max(1, result.GetValue(ChatConnections)),
            ChatRoomSize = Math.Max(1, result.GetValue(ChatRoomSize)),
            ChatRate = result.GetValue(ChatRate),
            ChatDuration = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(ChatDuration))),
            Warmup = TimeSpan.FromSeconds(result.GetValue(Warmup)),
            WarmupMessages = Math.Max(1, result.GetValue(WarmupMessages)),
            Window = result.GetValue(Window),
            RoomSize = Math.Max(1, result.GetValue(RoomSize)),
            IdleConnections = result.GetValue(IdleConnections),
            IdleStep = Math.Max(1, result.GetValue(IdleStep)),
            IdleHold = TimeSpan.FromSeconds(result.GetValue(IdleHold)),
            StallTimeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(StallTimeout))),
            Out = result.GetRequiredValue(Out),
            Gateways = result.GetValue(Gateways) ?? [],
            History = result.GetValue(History),
            Broker = result.GetValue(Broker),
            ViaProxy = result.GetValue(ViaProxy),
            Settings = settings,
            RedisServer = result.GetRequiredValue(RedisServer),
            Label = result.GetValue(Label),
            TraceRatio = Math.Clamp(result.GetValue(TraceRatio), 0, 1),
        };
    }
}

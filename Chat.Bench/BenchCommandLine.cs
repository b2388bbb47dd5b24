using System.CommandLine;
using System.CommandLine.Parsing;

namespace Chat.Bench;

/// <summary>
/// The bench's command line on System.CommandLine: every option of <see cref="BenchOptions"/>, its help generated from
/// the descriptions below, its defaults read from the record, so they live in one place.
/// </summary>
public static class BenchCommandLine
{
    static readonly BenchOptions Defaults = new();

    static readonly Option<string[]> Scenarios = Choice("--scenario", "--scenarios", BenchOptions.AllScenarios, Defaults.Scenarios, "scenario",
        "Scenarios, comma-separated: all, or some of");
    static readonly Option<string[]> Baselines = Choice("--baselines", "--baseline", BenchOptions.AllBaselines, Defaults.Baselines, "baseline",
        "Baselines besides Chat, comma-separated: all, none, or some of");
    static readonly Option<int> Clients = Whole("--clients", "N", Defaults.Clients, "Clients.");
    static readonly Option<int> Messages = Whole("--messages", "M", Defaults.Messages, "Messages per client.");
    static readonly Option<int> Repetitions = Whole("--repetitions", "R", Defaults.Repetitions, "Repetitions; figures are their medians.");
    static readonly Option<int> Warmup = Whole("--warmup", "S", (int)Defaults.Warmup.TotalSeconds,
        "Seconds of warm-up rounds per target before the repetitions, 0 for none; longer (up to 3 × S) while the target's JIT compilers are still busy.");
    static readonly Option<int> WarmupMessages = Whole("--warmup-messages", "M", Defaults.WarmupMessages, "Messages per client of each warm-up round.");
    static readonly Option<int> Window = Whole("--window", "W", Defaults.Window, "Unacknowledged messages per client, 0 = all at once as in the talk.");
    static readonly Option<int> RoomSize = Whole("--room-size", "K", Defaults.RoomSize, "Members per room in 'rooms'.");
    static readonly Option<int> IdleConnections = Whole("--idle-connections", "C", Defaults.IdleConnections, "Idle connections to open in 'idle', in steps of --idle-step.");
    static readonly Option<int> IdleStep = Whole("--idle-step", "C", Defaults.IdleStep, "Connections opened per step in 'idle'.");
    static readonly Option<int> IdleHold = Whole("--idle-hold", "S", (int)Defaults.IdleHold.TotalSeconds,
        "Keep the idle connections open S seconds more, e.g. to take a gcdump of a gateway.");
    static readonly Option<int> StallTimeout = Whole("--stall-timeout", "S", (int)Defaults.StallTimeout.TotalSeconds, "End a round when nothing arrived for S seconds.");
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
        CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(u => AbsoluteUri(result, u))],
    };

    static readonly Option<Uri?> History = new("--history")
    {
        HelpName = "URL",
        Description = "… and its history service (for the stored count).",
        CustomParser = result => AbsoluteUri(result, result.Tokens[^1].Value),
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
        Description = "AppHost configuration for the started app, e.g. --set Gateway:SendQueueCapacity=5000 (repeatable).",
        Validators = { result => Pairs(result) },
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
        "Chat.Bench: the 2013 talk's benchmark (connect, wait for a signal, send, receive all) against the Chat platform, "
        + "the raw broker, a raw WebSocket server and a SignalR + Redis peer, in one run. Run it with: dotnet run -c Release --project Chat.Bench -- [options]")
    {
        Scenarios, Baselines, Clients, Messages, Repetitions, Warmup, WarmupMessages, Window, RoomSize, IdleConnections, IdleStep, IdleHold,
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
        var settings = new Dictionary<string, string>(BenchOptions.RaisedLimits);
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

    static Option<int> Whole(string name, string helpName, int defaultValue, string description) => new(name)
    {
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens[^1].Value;
            if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return value;
            }

            result.AddError($"{name} needs a whole number, not {text}");
            return 0;
        },
    };

    /// <summary>A comma-separated choice among <paramref name="all"/>, where <c>all</c> and <c>none</c> also work.</summary>
    static Option<string[]> Choice(string name, string alias, string[] all, IReadOnlyList<string> defaultValue, string what, string description) => new(name, alias)
    {
        HelpName = string.Join(',', all),
        Arity = ArgumentArity.ExactlyOne,
        DefaultValueFactory = _ => [.. defaultValue],
        Description = $"{description} {string.Join(", ", all)}.",
        CustomParser = result =>
        {
            var value = result.Tokens[^1].Value;
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
            if (unknown.Count > 0)
            {
                result.AddError($"unknown {what}: {string.Join(", ", unknown)} (known: {string.Join(", ", all)})");
            }

            return items;
        },
    };

    static Uri AbsoluteUri(ArgumentResult result, string text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return uri;
        }

        result.AddError($"not an absolute URL: {text}");
        return new Uri("http://invalid");
    }

    static void Pairs(OptionResult result)
    {
        foreach (var token in result.Tokens.Where(t => t.Value.IndexOf('=', StringComparison.Ordinal) <= 0))
        {
            result.AddError($"--set needs KEY=VALUE, not {token.Value}");
        }
    }
}

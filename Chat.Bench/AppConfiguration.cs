using System.Globalization;
using Chat.Bench.Scenarios;

namespace Chat.Bench;

/// <summary>
/// A configuration the bench starts the app in, and the scenarios that run against it. The burst scenarios (talk, rooms)
/// need the gateway's limits raised, since every client sends everything at once; the paced ones run against its
/// defaults, with the rate limit raised only if a paced rate is above it. <c>--set</c> applies to both. With
/// <c>--gateway</c> there is one: the running app's own.
/// </summary>
/// <param name="Name">For the console and the report.</param>
/// <param name="Scenarios">What runs against it, in order (idle with the first configuration that runs, else with the burst one).</param>
/// <param name="Settings">AppHost configuration the bench passes; empty for a running app.</param>
public sealed record AppConfiguration(string Name, IReadOnlyList<string> Scenarios, IReadOnlyDictionary<string, string> Settings)
{
    public const string RaisedLimits = "raised limits";
    public const string Defaults = "defaults";
    public const string Running = "the running app's own";

    const string RateKey = "Gateway:MessagesPerSecond";
    const string BurstKey = "Gateway:MessageBurst";

    /// <summary>The limits this configuration raises above the gateway's defaults, as <c>key default → value</c>.</summary>
    public IReadOnlyList<string> Raised => [.. Settings
        .Where(s => BenchOptions.LimitDefaults.TryGetValue(s.Key, out var initial) && initial != s.Value)
        .Select(s => $"{s.Key} {BenchOptions.LimitDefaults[s.Key]} → {s.Value}")];

    /// <summary>The configurations of a run, each with its scenarios; burst first, as the scenarios are listed.</summary>
    public static IReadOnlyList<AppConfiguration> For(BenchOptions options)
    {
        var scenarios = options.Scenarios;
        if (options.Gateways.Count > 0)
        {
            return [new(Running, scenarios, new Dictionary<string, string>())];
        }

        var paced = scenarios.Where(BenchOptions.PacedScenarios.Contains).ToList();
        var burst = scenarios.Where(s => !BenchOptions.PacedScenarios.Contains(s) && s != IdleScenario.Name).ToList();
        if (scenarios.Contains(IdleScenario.Name))
        {
            // Idle sends nothing, so any configuration serves; joining one that runs anyway saves starting the app again.
            (burst.Count > 0 || paced.Count == 0 ? burst : paced).Add(IdleScenario.Name);
        }

        var configurations = new List<AppConfiguration>();
        if (burst.Count > 0 || paced.Count == 0)
        {
            configurations.Add(new(RaisedLimits, burst, With(BenchOptions.RaisedLimits, options.Settings)));
        }

        if (paced.Count > 0)
        {
            var needed = Math.Ceiling(paced.Max(s => s == ChatScenario.Name ? options.ChatRate : options.Rate));
            var limits = new Dictionary<string, string>();
            if (needed > double.Parse(BenchOptions.LimitDefaults[RateKey], CultureInfo.InvariantCulture))
            {
                limits[RateKey] = needed.ToString(CultureInfo.InvariantCulture);
                limits[BurstKey] = (2 * needed).ToString(CultureInfo.InvariantCulture);
            }

            configurations.Add(new(Defaults, paced, With(limits, options.Settings)));
        }

        return configurations;
    }

    static Dictionary<string, string> With(IReadOnlyDictionary<string, string> limits, IReadOnlyDictionary<string, string> set)
    {
        var settings = new Dictionary<string, string>(limits);
        foreach (var (key, value) in set)
        {
            settings[key] = value;
        }

        return settings;
    }
}

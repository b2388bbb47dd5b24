using System.Globalization;
using Chat.Bench.Workload;

namespace Chat.Bench.Scenarios;

/// <summary>
/// A scenario as a bench run drives it: a headline for the console, its loads (one, or talk-paced's sweep, lowest
/// first), each making a fresh plan (a fresh room) for every round, and the plan of its warm-up rounds.
/// </summary>
public sealed record BenchScenario(string Name, string Headline, IReadOnlyList<Func<WorkloadPlan>> Loads, Func<WorkloadPlan> Warmup)
{
    /// <summary>Sends at a steady rate, open loop, against the app in its default configuration.</summary>
    public bool Paced => BenchOptions.PacedScenarios.Contains(Name);

    /// <summary>The scenario <paramref name="name"/> (talk, rooms, talk-paced or chat) with the sizes of <paramref name="options"/>.</summary>
    public static BenchScenario Create(string name, BenchOptions options)
    {
        var size = new WorkloadOptions(options.Clients, options.Messages, options.Window) { StallTimeout = options.StallTimeout };
        var warmup = size with { Messages = options.WarmupMessages };
        switch (name)
        {
            case TalkScenario.Name:
                return new(name, $"talk: {options.Clients} clients in one room, each sends {options.Messages} and receives {(long)options.Clients * options.Messages:N0}",
                    [() => TalkScenario.Plan(size)], () => TalkScenario.Plan(warmup));
            case RoomsScenario.Name:
                return new(name, $"rooms: {options.Clients} clients in rooms of {options.RoomSize}, each sends {options.Messages} and receives {(long)Math.Min(options.RoomSize, options.Clients) * options.Messages:N0}",
                    [() => RoomsScenario.Plan(size, options.RoomSize)], () => RoomsScenario.Plan(warmup, options.RoomSize));
            case TalkPacedScenario.Name:
            {
                var paced = size with { Window = 0 };
                var top = paced with { Clients = options.Sweep[^1], Messages = Math.Min(options.WarmupMessages, options.Messages) };
                return new(name, string.Create(CultureInfo.InvariantCulture,
                        $"talk-paced: {string.Join(", ", options.Sweep)} clients in one room, each sending {options.Rate:0.##}/s open loop, {options.Messages} messages ({options.Messages / options.Rate:0.#} s); offered {string.Join(", ", options.Sweep.Select(n => (n * options.Rate).ToString("N0", CultureInfo.InvariantCulture)))} msg/s"),
                    [.. options.Sweep.Select(n => (Func<WorkloadPlan>)(() => TalkPacedScenario.Plan(paced with { Clients = n }, options.Rate)))],
                    () => TalkPacedScenario.Plan(top, options.Rate));
            }

            case ChatScenario.Name:
            {
                var messages = ChatScenario.Messages(options.ChatRate, options.ChatDuration);
                var chat = new WorkloadOptions(options.ChatConnections, messages) { StallTimeout = options.StallTimeout };
                var offered = options.ChatConnections * options.ChatRate;
                return new(name, string.Create(CultureInfo.InvariantCulture,
                        $"chat: {options.ChatConnections:N0} connections in rooms of {options.ChatRoomSize}, each sending {options.ChatRate:0.##}/s open loop for {messages / options.ChatRate:0} s; offered {offered:N0} msg/s, {offered * Math.Min(options.ChatRoomSize, options.ChatConnections):N0} deliveries/s"),
                    [() => ChatScenario.Plan(chat, options.ChatRoomSize, options.ChatRate)],
                    () => ChatScenario.Plan(chat with { Messages = Math.Min(options.WarmupMessages, messages) }, options.ChatRoomSize, options.ChatRate));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "not a scenario with rounds");
        }
    }
}

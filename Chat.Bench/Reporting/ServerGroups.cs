using Chat.Bench.Baselines;
using Chat.Bench.Diagnostics;

namespace Chat.Bench.Reporting;

/// <summary>
/// The CPU groups that are each target's servers: what a message costs it with the clients on other machines. Ours:
/// gateways, history and broker. The raw broker's clients run in the bench, so its servers are the broker alone.
/// </summary>
public static class ServerGroups
{
    static readonly string[] Ours = [CpuGroups.Gateways, CpuGroups.History, CpuGroups.Broker];

    static readonly Dictionary<string, string[]> Theirs = new(StringComparer.Ordinal)
    {
        [RawBrokerBaseline.Name] = [CpuGroups.Broker],
        [RawSocketServer.TargetName] = [CpuGroups.SocketServer],
        [SignalRPeer.TargetName] = [CpuGroups.SignalR],
    };

    /// <summary>The server groups of <paramref name="target"/>, where <paramref name="ours"/> names our app; none for an unknown target.</summary>
    public static IReadOnlyCollection<string>? Of(string target, string ours) => target == ours ? Ours : Theirs.GetValueOrDefault(target);
}

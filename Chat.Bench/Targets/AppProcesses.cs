using Chat.Bench.Diagnostics;

namespace Chat.Bench.Targets;

/// <summary>
/// A started app's processes on this machine, found by what they run on (its data directory, its broker): the gateway
/// replicas, the groups for CPU accounting, and what is left after a stop.
/// </summary>
static class AppProcesses
{
    /// <summary>The app's processes by role, for CPU accounting (Linux; empty groups elsewhere).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<int>> Groups(IReadOnlyList<GatewayReplica> gateways, string? dataDirectory, int? brokerPort)
    {
        var all = LocalProcess.All();
        var groups = new Dictionary<string, IReadOnlyList<int>>
        {
            [CpuGroups.Gateways] = gateways.Where(g => g.Pid is not null).Select(g => g.Pid!.Value).ToList(),
        };

        if (brokerPort is { } port)
        {
            groups[CpuGroups.History] = all.Where(p => p.Name == "Chat.History" && UsesBroker(p, port)).Select(p => p.Pid).ToList();
        }

        if (dataDirectory is not null)
        {
            groups[CpuGroups.Broker] = all.Where(p => p.Name == "beam.smp" && p.CommandLine.Contains(dataDirectory, StringComparison.Ordinal)).Select(p => p.Pid).ToList();
            groups[CpuGroups.Dcp] = DcpProcesses(all).Select(p => p.Pid).ToList();
        }

        return groups;
    }

    public static async Task<IReadOnlyList<GatewayReplica>> FindReplicasAsync(int brokerPort, int expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            var replicas = LocalProcess.All()
                .Where(p => p.Name == "Chat.Gateway" && UsesBroker(p, brokerPort))
                .Select(p => (Process: p, Environment: p.Environment()))
                .Where(p => p.Environment.ContainsKey("ASPNETCORE_URLS"))
                .Select(p => new GatewayReplica(
                    Loopback(new Uri(p.Environment["ASPNETCORE_URLS"].Split(';')[0])),
                    p.Process.Pid,
                    NodeOf(p.Environment) ?? p.Process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    p.Process.ExecutablePath()))
                .OrderBy(r => r.Address.Port)
                .ToList();
            if (replicas.Count >= expected || !OperatingSystem.IsLinux())
            {
                return replicas;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    static bool UsesBroker(LocalProcess process, int brokerPort) =>
        process.Environment().TryGetValue("ConnectionStrings__messaging", out var broker) && PrimaryNode(broker).Port == brokerPort;

    /// <summary>The first node of the app's broker: the only one on a single broker, the one the raw baseline uses on a cluster.</summary>
    public static Uri PrimaryNode(string? connectionString) =>
        Microsoft.Extensions.Hosting.BrokerConnectionString.Parse(connectionString ?? throw new InvalidOperationException("The app has no broker connection string.")).Primary;

    public static string? NodeOf(IReadOnlyDictionary<string, string> environment) =>
        environment.TryGetValue("OTEL_RESOURCE_ATTRIBUTES", out var attributes)
            ? attributes.Split(',').Select(a => a.Split('=', 2)).FirstOrDefault(a => a.Length == 2 && a[0] == "service.instance.id")?[1]
            : null;

    static Uri Loopback(Uri uri) => uri.Host == "localhost" ? new UriBuilder(uri) { Host = "127.0.0.1" }.Uri : uri;

    /// <summary>DCP's API server (watching this process) and its controllers (which run the proxies).</summary>
    static IEnumerable<LocalProcess> DcpProcesses(IReadOnlyList<LocalProcess> all)
    {
        var apiServers = all.Where(p => p.Name == "dcp" && p.CommandLine.Contains("start-apiserver", StringComparison.Ordinal)
            && p.CommandLine.Contains($"--monitor {Environment.ProcessId} ", StringComparison.Ordinal)).ToList();
        foreach (var apiServer in apiServers)
        {
            yield return apiServer;
            foreach (var controller in all.Where(p => p.Name == "dcp" && p.CommandLine.Contains("run-controllers", StringComparison.Ordinal)
                && p.CommandLine.Contains($"--monitor {apiServer.Pid} ", StringComparison.Ordinal)))
            {
                yield return controller;
            }
        }
    }

    /// <summary>Anything of this app still running after the AppHost stopped: its broker and epmd, its services, its DCP.</summary>
    public static void KillLeftovers(string dataDirectory, int? brokerPort)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var all = LocalProcess.All();
            var leftovers = all.Where(p =>
                    (p.Name is "beam.smp" && p.CommandLine.Contains(dataDirectory, StringComparison.Ordinal))
                    || (p.Name is "epmd" && p.WorkingDirectory().StartsWith(dataDirectory, StringComparison.Ordinal))
                    || (p.Name is "Chat.Gateway" or "Chat.History" && brokerPort is { } port && UsesBroker(p, port)))
                .Concat(DcpProcesses(all))
                .ToList();
            if (leftovers.Count == 0)
            {
                return;
            }

            if (attempt >= 10)
            {
                foreach (var process in leftovers)
                {
                    try
                    {
                        using var handle = System.Diagnostics.Process.GetProcessById(process.Pid);
                        handle.Kill(entireProcessTree: true);
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // gone meanwhile
                    }
                }
            }

            Thread.Sleep(500);
        }
    }
}

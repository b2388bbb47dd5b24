using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// <c>rabbitmqctl</c> against the local broker nodes of a test app: with the app's Erlang cookie (in the nodes' home in
/// its data directory) and the app's epmd, so it sees the cluster as the AppHost does.
/// </summary>
sealed partial class BrokerCtl(string home, int epmdPort)
{
    const string Command = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    public static BrokerCtl For(ChatAppFixture app) =>
        new(Path.Combine(app.DataDirectory, "rabbitmq"), app.App.GetEndpoint($"{ChatAppFixture.Messaging}-epmd", "epmd").Port);

    /// <summary>The nodes that run in the cluster, as <paramref name="node"/> sees them.</summary>
    public async Task<IReadOnlyList<string>> RunningNodesAsync(string node)
    {
        using var status = JsonDocument.Parse(await RunAsync("--node", node, "cluster_status", "--formatter", "json"));
        return [.. status.RootElement.GetProperty("running_nodes").EnumerateArray().Select(n => n.GetString()!).Order(StringComparer.Ordinal)];
    }

    /// <summary>A queue as <paramref name="node"/> sees it; null when it does not exist.</summary>
    public async Task<QueueMembers?> QueueAsync(string node, string queue) =>
        (await QueuesAsync(node, queue)).FirstOrDefault(q => q.Name == queue);

    /// <summary>Every queue whose name starts with <paramref name="prefix"/>, as <paramref name="node"/> sees it.</summary>
    public async Task<IReadOnlyList<QueueMembers>> QueuesAsync(string node, string prefix)
    {
        using var queues = JsonDocument.Parse(await RunAsync("--node", node, "list_queues", "name", "type", "members", "online", "leader", "--formatter", "json"));
        return [.. queues.RootElement.EnumerateArray().Where(q => q.GetProperty("name").GetString()!.StartsWith(prefix, StringComparison.Ordinal)).Select(QueueMembers.From)];
    }

    /// <summary>Per queue whose name starts with <paramref name="prefix"/>: messages ready, and delivered but not yet acknowledged.</summary>
    public async Task<IReadOnlyList<(string Name, long Ready, long Unacknowledged)>> BacklogAsync(string node, string prefix)
    {
        using var queues = JsonDocument.Parse(await RunAsync("--node", node, "list_queues", "name", "messages_ready", "messages_unacknowledged", "--formatter", "json"));
        return [.. queues.RootElement.EnumerateArray()
            .Where(q => q.GetProperty("name").GetString()!.StartsWith(prefix, StringComparison.Ordinal))
            .Select(q => (q.GetProperty("name").GetString()!, q.GetProperty("messages_ready").GetInt64(), q.GetProperty("messages_unacknowledged").GetInt64()))];
    }

    /// <summary>
    /// The names of the services' connections to <paramref name="onNode"/> (the AppHost's own health checks left out), as
    /// <paramref name="node"/> sees the cluster's; <c>unnamed</c> for a client that gives no name.
    /// </summary>
    public async Task<IReadOnlyList<string>> ConnectionsAsync(string node, string onNode) =>
        [.. (await ListConnectionsAsync(node))
            .Where(c => c.Process.StartsWith($"<{onNode}.", StringComparison.Ordinal))
            .Select(c => c.Name ?? "unnamed")
            .Where(name => name != "chat-apphost-health")
            .Order(StringComparer.Ordinal)];

    /// <summary>The processes (the broker's, one per connection) of the connections whose client gives the name <paramref name="name"/>.</summary>
    public async Task<IReadOnlyList<string>> ConnectionProcessesAsync(string node, string name) =>
        [.. (await ListConnectionsAsync(node)).Where(c => c.Name == name).Select(c => c.Process)];

    /// <summary>Closes every connection to <paramref name="node"/> whose client gives one of the <paramref name="names"/>; returns how many.</summary>
    public async Task<int> CloseConnectionsAsync(string node, params string[] names)
    {
        var closing = (await ListConnectionsAsync(node)).Where(c => c.Name is not null && names.Contains(c.Name)).ToList();
        foreach (var (process, _) in closing)
        {
            await RunAsync("--node", node, "close_connection", process, "closed by a test");
        }

        return closing.Count;
    }

    /// <summary>Every connection of the cluster as <paramref name="node"/> sees it: its process and its client's name, if any.</summary>
    async Task<IReadOnlyList<(string Process, string? Name)>> ListConnectionsAsync(string node)
    {
        // The table, not JSON: JSON writes a connection's process without its node's name.
        var table = await RunAsync("--node", node, "list_connections", "pid", "client_properties", "--quiet", "--no-table-headers");
        return [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (line[..(line.IndexOf('>', StringComparison.Ordinal) + 1)],
                ConnectionName().Match(line) is { Success: true } m ? m.Groups[1].Value : null))];
    }

    [GeneratedRegex("""\{"connection_name","([^"]*)"\}""")]
    private static partial Regex ConnectionName();

    async Task<string> RunAsync(params string[] arguments)
    {
        var ct = TestContext.Current.CancellationToken;
        var info = new ProcessStartInfo(Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["HOME"] = home;
        info.Environment["ERL_EPMD_PORT"] = epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["ERL_FLAGS"] = "-start_epmd false"; // with its epmd gone, fail instead of leaving a new one behind
        info.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(home, "rabbitmq-env.conf");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{Command} did not start");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        try
        {
            // An Erlang VM that starts, asks a busy broker and stops: seconds here, more than 15 on a slower, loaded machine.
            await process.WaitForExitAsync(ct).WaitAsync(TestTimeouts.Long, ct);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // no rabbitmqctl outlives its test
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} exited with {process.ExitCode}: {(await errors).Trim()}");
        }

        return await output;
    }
}

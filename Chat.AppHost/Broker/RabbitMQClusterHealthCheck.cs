using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.AppHost.Broker;

/// <summary>
/// Healthy when every node accepts AMQP connections and, where <c>rabbitmqctl</c> can ask them (local nodes), all of them
/// run in one cluster: so <c>WaitFor(messaging)</c> means "the cluster has formed", and history declares its quorum
/// queue with a member on every node.
/// </summary>
sealed class RabbitMQClusterHealthCheck(IReadOnlyList<(string NodeName, IResourceWithConnectionString Node)> nodes, RabbitMQCtl? ctl)
    : IHealthCheck, IAsyncDisposable
{
    readonly RabbitMQConnectivityHealthCheck[] _connectivity = [.. nodes.Select(n => new RabbitMQConnectivityHealthCheck(n.Node))];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var refusing = new List<string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if ((await _connectivity[i].CheckHealthAsync(context, cancellationToken)).Status != HealthStatus.Healthy)
            {
                refusing.Add(nodes[i].NodeName);
            }
        }

        if (refusing.Count > 0)
        {
            return HealthCheckResult.Unhealthy($"{nodes.Count - refusing.Count} of {nodes.Count} nodes accept connections; not yet: {string.Join(", ", refusing)}");
        }

        if (ctl is null)
        {
            return HealthCheckResult.Healthy($"all {nodes.Count} nodes accept connections");
        }

        var (running, problem) = await ctl.RunningNodesAsync(nodes.Select(n => n.NodeName), cancellationToken);
        if (running is null)
        {
            return HealthCheckResult.Unhealthy($"no node answers rabbitmqctl: {problem}");
        }

        var missing = nodes.Select(n => n.NodeName).Except(running).ToList();
        return missing.Count == 0
            ? HealthCheckResult.Healthy($"all {nodes.Count} nodes run in one cluster")
            : HealthCheckResult.Unhealthy($"{nodes.Count - missing.Count} of {nodes.Count} nodes run in the cluster; not yet: {string.Join(", ", missing)}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var check in _connectivity)
        {
            await check.DisposeAsync();
        }
    }
}

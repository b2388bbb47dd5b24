using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.AppHost.Broker;

/// <summary>Provides RabbitMQ: Aspire's containers where a container runtime works, otherwise the machine's rabbitmq-server.</summary>
static class BrokerExtensions
{
    /// <summary>
    /// Adds the broker chosen by <c>Chat:Broker</c> (<c>auto</c>, <c>container</c>, <c>local</c>) with <c>Chat:BrokerNodes</c>
    /// nodes (1, or an odd number from 3: a cluster). Returns <see langword="null"/> with the one line to print when
    /// neither is available or the configuration cannot run.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddChatBroker(
        this IDistributedApplicationBuilder builder, string name, string dataDirectory, out string? problem)
    {
        var mode = builder.Configuration.GetValue("Chat:Broker", BrokerMode.Auto);
        var nodes = builder.Configuration.GetValue("Chat:BrokerNodes", 1);
        var local = builder.Configuration.GetSection(LocalBrokerOptions.SectionName).Get<LocalBrokerOptions>() ?? new();
        problem = null;
        if (nodes < 1 || (nodes > 1 && nodes % 2 == 0))
        {
            // A quorum queue needs a majority of its members: with an even count one more node buys no more tolerance.
            problem = $"Chat:BrokerNodes={nodes}: use 1, or an odd number of nodes from 3 (a cluster that survives the loss of a minority).";
            return null;
        }

        if (builder.ExecutionContext.IsPublishMode || mode == BrokerMode.Container
            || (mode == BrokerMode.Auto && ContainerRuntime.Answers()))
        {
            return nodes == 1 ? builder.AddRabbitMQ(name).WithDataVolume() : builder.AddRabbitMQContainerCluster(name, nodes);
        }

        if (!local.IsInstalled || (nodes > 1 && !File.Exists(local.Ctl)))
        {
            problem = mode == BrokerMode.Local
                ? $"Chat:Broker is 'local' but {local.Server}, {local.Epmd} or {local.Ctl} is missing: install it with 'sudo apt-get install rabbitmq-server' (or set Chat:LocalBroker:Server, :Epmd and :Ctl)."
                : "No RabbitMQ available: install Docker or Podman (for the RabbitMQ container), or the rabbitmq-server package ('sudo apt-get install rabbitmq-server').";
            return null;
        }

        return nodes == 1
            ? builder.AddLocalRabbitMQ(name, dataDirectory, local)
            : builder.AddLocalRabbitMQCluster(name, nodes, dataDirectory, local);
    }

    /// <summary>
    /// <paramref name="count"/> RabbitMQ containers (<c>&lt;name&gt;-1</c> …) with one user, password and Erlang cookie, each
    /// with its own volume, clustered by classic-config peer discovery. Not run on the machines this was written on (no
    /// container runtime there): its health is every node accepting connections, not the cluster's formation.
    /// </summary>
    static IResourceBuilder<RabbitMQClusterResource> AddRabbitMQContainerCluster(this IDistributedApplicationBuilder builder, string name, int count)
    {
        var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 22, Special = false }, secret: true, persist: true);
        var cookie = builder.AddParameter($"{name}-cookie", new GenerateParameterDefault { MinLength = 32, Lower = false, Numeric = false, Special = false }, secret: true, persist: true);
        string[] names = [.. Enumerable.Range(1, count).Select(i => $"{name}-{i}")];
        var peers = string.Join('\n', names.Select((n, i) => $"cluster_formation.classic_config.nodes.{i + 1} = rabbit@{n}"));
        var nodes = names.Select(n => builder.AddRabbitMQ(n, password: password)
                .WithDataVolume()
                // Nodes find each other by name: each container's host name is its resource name, as its peers resolve it.
                .WithContainerRuntimeArgs("--hostname", n)
                .WithEnvironment("RABBITMQ_NODENAME", $"rabbit@{n}")
                .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", ReferenceExpression.Create($"-setcookie {cookie.Resource}"))
                .WithEnvironment("RABBITMQ_CTL_ERL_ARGS", ReferenceExpression.Create($"-setcookie {cookie.Resource}"))
                .WithContainerFiles("/etc/rabbitmq/conf.d", [new ContainerFile
                {
                    Name = "20-chat-cluster.conf",
                    Contents = $"cluster_formation.peer_discovery_backend = classic_config\n{peers}\ncluster_partition_handling = pause_minority\n",
                }]))
            .ToList();

        var cluster = builder.AddRabbitMQCluster(name, [.. nodes.Select(n => ($"rabbit@{n.Resource.Name}", (IResourceWithConnectionString)n.Resource))], ctl: null);
        foreach (var node in nodes)
        {
            node.WithParentRelationship(cluster);
        }

        return cluster;
    }

    /// <summary>
    /// The resource services reference for a cluster of <paramref name="nodes"/>. It has no process of its own: it runs
    /// once a node is ready and until every node has stopped; it is healthy when the cluster has formed.
    /// </summary>
    internal static IResourceBuilder<RabbitMQClusterResource> AddRabbitMQCluster(this IDistributedApplicationBuilder builder, string name,
        IReadOnlyList<(string NodeName, IResourceWithConnectionString Node)> nodes, RabbitMQCtl? ctl)
    {
        var cluster = new RabbitMQClusterResource(name, [.. nodes.Select(n => n.Node)]);
        var healthCheckKey = $"{name}-cluster";
        var healthCheck = new RabbitMQClusterHealthCheck(nodes, ctl);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => healthCheck, HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(30)));

        foreach (var (_, node) in nodes)
        {
            builder.Eventing.Subscribe<ResourceReadyEvent>(node, (e, _) => PublishStateAsync(e.Services, cluster, KnownResourceStates.Running));
            builder.Eventing.Subscribe<ResourceStoppedEvent>(node, (e, _) =>
            {
                var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
                var allStopped = nodes.All(n => !notifications.TryGetCurrentState(n.Node.Name, out var current)
                    || KnownResourceStates.TerminalStates.Contains(current.Snapshot.State?.Text));
                return allStopped ? PublishStateAsync(e.Services, cluster, KnownResourceStates.Exited) : Task.CompletedTask;
            });
        }

        return builder.AddResource(cluster)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "RabbitMQCluster",
                State = KnownResourceStates.NotStarted,
                Properties = [],
            })
            .WithIconName("ServerMultiple")
            .WithHealthCheck(healthCheckKey);
    }

    static Task PublishStateAsync(IServiceProvider services, RabbitMQClusterResource cluster, string state) =>
        services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(cluster, s => s.State?.Text == state ? s : s with
        {
            State = state,
            StartTimeStamp = state == KnownResourceStates.Running ? DateTime.UtcNow : s.StartTimeStamp,
            StopTimeStamp = state == KnownResourceStates.Exited ? DateTime.UtcNow : null,
        });
}

using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Chat.AppHost.Broker;

/// <summary>
/// The machine's rabbitmq-server as executable resources: one node, or a cluster of nodes. Each has its own node name,
/// AMQP and distribution ports and data directory, and logs to the console (so to the dashboard); they share one epmd
/// and one Erlang cookie. DCP stops them with the AppHost: no broker process outlives it.
/// </summary>
static partial class LocalBrokerExtensions
{
    /// <summary>One node named <paramref name="name"/>, with a generated password (<c>Parameters:&lt;name&gt;-password</c>).</summary>
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(this IDistributedApplicationBuilder builder, string name,
        string dataDirectory, LocalBrokerOptions options)
    {
        var home = Path.Combine(dataDirectory, "rabbitmq");
        var epmd = builder.AddEpmd(name, home, options);
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        var node = builder.AddLocalRabbitMQNode(name, home, options, epmd, password, clusterNodes: []);

        // Before the broker had a user of its own, its database was here, with the user guest.
        var legacy = Path.Combine(home, "mnesia");
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(node.Resource, (e, _) =>
        {
            if (Directory.Exists(legacy))
            {
                Log.LegacyDatabase(e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(node.Resource), legacy);
            }

            return Task.CompletedTask;
        });
        return node;
    }

    /// <summary>
    /// <paramref name="count"/> nodes (<c>&lt;name&gt;-1</c> …) that form one cluster by classic-config peer discovery on their
    /// first start, behind one resource <paramref name="name"/> that is healthy once every node runs in the cluster.
    /// </summary>
    public static IResourceBuilder<RabbitMQClusterResource> AddLocalRabbitMQCluster(this IDistributedApplicationBuilder builder, string name,
        int count, string dataDirectory, LocalBrokerOptions options)
    {
        var home = Path.Combine(dataDirectory, "rabbitmq");
        var epmd = builder.AddEpmd(name, home, options);
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        string[] names = [.. Enumerable.Range(1, count).Select(i => $"{name}-{i}")];
        string[] nodeNames = [.. names.Select(n => $"{n}@localhost")];
        var nodes = names.Select(n => builder.AddLocalRabbitMQNode(n, home, options, epmd, password, nodeNames)).ToList();

        var ctl = new RabbitMQCtl(options.Ctl, home, epmd.GetEndpoint("epmd"));
        var cluster = builder.AddRabbitMQCluster(name, [.. nodes.Select(n => (n.Resource.NodeName, (IResourceWithConnectionString)n.Resource))], ctl)
            .ExcludeFromManifest();
        foreach (var node in nodes)
        {
            node.WithParentRelationship(cluster);
        }

        return cluster;
    }

    /// <summary>RabbitMQ would otherwise start a detached epmd on 4369 that outlives everything.</summary>
    static IResourceBuilder<ExecutableResource> AddEpmd(this IDistributedApplicationBuilder builder, string name, string home, LocalBrokerOptions options)
    {
        Directory.CreateDirectory(home);
        return builder.AddExecutable($"{name}-epmd", options.Epmd, home, "-relaxed_command_check")
            .WithEndpoint(name: "epmd", scheme: "tcp", env: "ERL_EPMD_PORT", isProxied: false)
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .ExcludeFromManifest();
    }

    static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQNode(this IDistributedApplicationBuilder builder, string name, string home,
        LocalBrokerOptions options, IResourceBuilder<ExecutableResource> epmd, ParameterResource password, IReadOnlyList<string> clusterNodes)
    {
        var pluginsFile = LocalRabbitMQFiles.PrepareHome(home);
        var directory = Path.Combine(home, name);
        Directory.CreateDirectory(directory);
        var configFile = Path.Combine(directory, "rabbitmq.conf");
        var node = new LocalRabbitMQResource(name, options.Server, directory, options.UserName, password);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(node, async (_, ct) =>
            LocalRabbitMQFiles.WriteConfig(configFile, node.UserName, (await password.GetValueAsync(ct))!, clusterNodes));

        var healthCheckKey = $"{name}-amqp";
        // One instance for every run of the check: it keeps its connection open once the broker answers.
        var healthCheck = new RabbitMQConnectivityHealthCheck(node);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => healthCheck, HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));

        var epmdEndpoint = epmd.GetEndpoint("epmd");
        return builder.AddResource(node)
            .WithEndpoint(name: LocalRabbitMQResource.PrimaryEndpointName, scheme: "tcp", env: "RABBITMQ_NODE_PORT", isProxied: false)
            // Set explicitly: the default (AMQP port + 20000) can pass 65535.
            .WithEndpoint(name: LocalRabbitMQResource.DistributionEndpointName, scheme: "tcp", env: "RABBITMQ_DIST_PORT", isProxied: false)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["ERL_EPMD_PORT"] = epmdEndpoint.Property(EndpointProperty.Port);
                env["RABBITMQ_NODENAME"] = node.NodeName;
                env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                env["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia");
                env["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log");
                env["RABBITMQ_LOGS"] = "-";
                env["RABBITMQ_ENABLED_PLUGINS_FILE"] = pluginsFile;
                env["RABBITMQ_CONFIG_FILE"] = configFile;
                env["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(home, "rabbitmq-env.conf"); // not /etc's
                env["HOME"] = home; // the Erlang cookie is there
                env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
            })
            .WithHealthCheck(healthCheckKey)
            .WaitFor(epmd)
            .ExcludeFromManifest();
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Directory} holds the database of an earlier version of this broker (user guest); it is no longer used and can be deleted")]
        public static partial void LegacyDatabase(ILogger logger, string directory);
    }
}

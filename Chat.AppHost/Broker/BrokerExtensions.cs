using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.AppHost.Broker;

/// <summary>Provides RabbitMQ: Aspire's container where a container runtime works, otherwise the machine's rabbitmq-server.</summary>
static class BrokerExtensions
{
    const string RabbitMQServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    const string Epmd = "/usr/bin/epmd";

    /// <summary>
    /// Adds the broker resource chosen by <c>Chat:Broker</c> (<c>auto</c>, <c>container</c>, <c>local</c>).
    /// Returns <see langword="null"/> with the one line to print when neither is available.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddChatBroker(
        this IDistributedApplicationBuilder builder, string name, string dataDirectory, out string? problem)
    {
        var mode = builder.Configuration.GetValue("Chat:Broker", BrokerMode.Auto);
        var localAvailable = File.Exists(RabbitMQServer) && File.Exists(Epmd);
        problem = null;

        if (builder.ExecutionContext.IsPublishMode || mode == BrokerMode.Container
            || (mode == BrokerMode.Auto && ContainerRuntime.Answers()))
        {
            return builder.AddRabbitMQ(name).WithDataVolume();
        }

        if (!localAvailable)
        {
            problem = mode == BrokerMode.Local
                ? $"Chat:Broker is 'local' but {RabbitMQServer} or {Epmd} is missing: install it with 'sudo apt-get install rabbitmq-server'."
                : "No RabbitMQ available: install Docker or Podman (for the RabbitMQ container), or the rabbitmq-server package ('sudo apt-get install rabbitmq-server').";
            return null;
        }

        return builder.AddLocalRabbitMQ(name, dataDirectory);
    }

    /// <summary>
    /// The machine's rabbitmq-server with its own epmd, node name, ports and data directory, logging to the
    /// console (so to the dashboard). DCP stops both with the AppHost: no broker process outlives it.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(this IDistributedApplicationBuilder builder, string name, string dataDirectory)
    {
        var home = Path.Combine(dataDirectory, "rabbitmq");
        Directory.CreateDirectory(home);
        var pluginsFile = Path.Combine(home, "enabled_plugins");
        File.WriteAllText(pluginsFile, "[].\n");

        // RabbitMQ would otherwise start a detached epmd on 4369 that outlives everything.
        var epmd = builder.AddExecutable($"{name}-epmd", Epmd, home, "-relaxed_command_check")
            .WithEndpoint(name: "epmd", scheme: "tcp", env: "ERL_EPMD_PORT", isProxied: false)
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .ExcludeFromManifest();
        var epmdEndpoint = epmd.GetEndpoint("epmd");

        var broker = new LocalRabbitMQResource(name, RabbitMQServer, home);
        var healthCheckKey = $"{name}-amqp";
        // One instance for every run of the check: it keeps its connection open once the broker answers.
        var healthCheck = new RabbitMQConnectivityHealthCheck(broker);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => healthCheck, HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(5)));

        return builder.AddResource(broker)
            .WithEndpoint(name: LocalRabbitMQResource.PrimaryEndpointName, scheme: "tcp", env: "RABBITMQ_NODE_PORT", isProxied: false)
            // Set explicitly: the default (AMQP port + 20000) can pass 65535.
            .WithEndpoint(name: LocalRabbitMQResource.DistributionEndpointName, scheme: "tcp", env: "RABBITMQ_DIST_PORT", isProxied: false)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["ERL_EPMD_PORT"] = epmdEndpoint.Property(EndpointProperty.Port);
                env["RABBITMQ_NODENAME"] = $"{name}@localhost";
                env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                env["RABBITMQ_MNESIA_BASE"] = Path.Combine(home, "mnesia");
                env["RABBITMQ_LOG_BASE"] = Path.Combine(home, "log");
                env["RABBITMQ_LOGS"] = "-";
                env["RABBITMQ_ENABLED_PLUGINS_FILE"] = pluginsFile;
                env["RABBITMQ_CONFIG_FILE"] = Path.Combine(home, "rabbitmq"); // missing file: the defaults
                env["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(home, "rabbitmq-env.conf"); // not /etc's
                env["HOME"] = home; // the Erlang cookie goes here
                env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
            })
            .WithHealthCheck(healthCheckKey)
            .WaitFor(epmd)
            .ExcludeFromManifest();
    }
}

using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>The bus every Chat service shares: MassTransit on the RabbitMQ that Aspire's <c>messaging</c> connection string names.</summary>
public static class MessagingExtensions
{
    /// <summary>The Aspire resource (and connection string) of the broker.</summary>
    public const string ConnectionName = "messaging";

    /// <summary>
    /// Adds MassTransit on RabbitMQ: the consumers <paramref name="configure"/> registers get endpoints by their
    /// definitions, events travel as their own JSON, and the host waits for the bus before it serves.
    /// <paramref name="configureBus"/> adds what only this service needs.
    /// </summary>
    public static TBuilder AddChatBus<TBuilder>(this TBuilder builder, Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureBus = null)
        where TBuilder : IHostApplicationBuilder
    {
        var broker = builder.GetBrokerConnectionString();
        builder.Services.AddSingleton(broker);
        builder.Services.AddMassTransit(bus =>
        {
            configure?.Invoke(bus);
            UseRabbitMq(bus, broker, connectionName: null, configureBus);
        });

        builder.Services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true; // consumers listen before the service does
            host.StartTimeout = TimeSpan.FromSeconds(60);
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return builder;
    }

    /// <summary>
    /// Adds a second bus, <typeparamref name="TBus"/>, on a connection of its own named <paramref name="connectionName"/>,
    /// for endpoints that must not share the main bus's connection; otherwise configured as <see cref="AddChatBus{TBuilder}"/>.
    /// </summary>
    public static TBuilder AddChatBus<TBuilder, TBus>(this TBuilder builder, string connectionName, Action<IBusRegistrationConfigurator> configure,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> configureBus)
        where TBuilder : IHostApplicationBuilder
        where TBus : class, IBus
    {
        var broker = builder.GetBrokerConnectionString();
        builder.Services.AddMassTransit<TBus>(bus =>
        {
            configure(bus);
            UseRabbitMq(bus, broker, connectionName, configureBus);
        });
        return builder;
    }

    static void UseRabbitMq(IBusRegistrationConfigurator bus, BrokerConnectionString broker, string? connectionName,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureBus)
    {
        bus.SetKebabCaseEndpointNameFormatter();
        bus.UsingRabbitMq((context, cfg) =>
        {
            cfg.Host(broker.Primary, host =>
            {
                if (connectionName is not null)
                {
                    host.ConnectionName(connectionName);
                }

                if (broker.IsCluster)
                {
                    // MassTransit tries the nodes in turn, from the first, when it connects and when it reconnects.
                    host.UseCluster(cluster =>
                    {
                        foreach (var node in broker.HostsAndPorts)
                        {
                            cluster.Node(node);
                        }
                    });
                }
            });
            // The event's own JSON (id in message_id, trace context in MT-Activity-Id) instead of MassTransit's envelope,
            // without the per-message transport headers: a sixth of the bytes, and less for the broker to hold.
            cfg.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType);
            configureBus?.Invoke(context, cfg);
            cfg.ConfigureEndpoints(context);
        });
    }

    /// <summary>The broker's nodes from Aspire's <c>messaging</c> connection string (see <see cref="BrokerConnectionString"/>).</summary>
    public static BrokerConnectionString GetBrokerConnectionString(this IHostApplicationBuilder builder) =>
        BrokerConnectionString.Parse(builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set: run {builder.Environment.ApplicationName} through Chat.AppHost."));
}

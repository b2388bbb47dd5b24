using Chat.Gateway.Apis;
using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.History;
using Chat.Gateway.Messaging;
using Chat.Gateway.Presence;
using Chat.Gateway.Rooms;
using MassTransit;
using OpenTelemetry.Metrics;

namespace Chat.Gateway;

static class Extensions
{
    /// <summary>Registers everything the gateway needs: options, rooms, connections, the history client and the bus.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<GatewayNode>();
        services.AddSingleton<ProcessStallWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<ProcessStallWatch>());
        services.AddSingleton<GatewayTelemetry>();
        services.AddSingleton<MessageIdGenerator>();
        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<RecentMessageBuffer>();
        services.AddSingleton<JoinHistory>();
        services.AddSingleton<RoomService>();
        services.AddSingleton<PresenceTracker>();
        services.AddSingleton<PresencePublisher>();
        services.AddSingleton<TypingPublisher>();
        services.AddSingleton<ChatMessagePublisher>();
        services.AddSingleton<RefusedPublishRecovery>();
        services.AddSingleton<DeliverChatMessageConsumer>();
        services.AddSingleton<ChatSessionServices>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<ConnectionAcceptor>();
        services.AddSingleton<UpgradeIdentity>();
        builder.AddChatIdentity(ChatSocketApi.JsonPath, ChatSocketApi.PlainTextPath);
        services.AddSingleton<FanoutQueue>();
        services.AddHealthChecks().AddCheck<FanoutHealthCheck>("fanout-queue", tags: ["ready"]);

        // Every replica consumes every chat message, and chat.gateway.messages.delivered counts them. MassTransit's receive
        // and consume metrics cost a seventh of the fanout's consume loop (perf, talk); it checks these two counters before
        // recording any of that set, so dropping them switches the set off. Its publish metrics stay.
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics
            .AddView("messaging.masstransit.receive", MetricStreamConfiguration.Drop)
            .AddView("messaging.masstransit.consume", MetricStreamConfiguration.Drop));

        services.AddHistoryClient();

        // Aspire's RabbitMQ client asks the broker whether this instance's fanout queue has a consumer (FanoutHealthCheck),
        // through any node of a cluster. Its tracing is off: RabbitMQ.Client's sources would also trace MassTransit's
        // channels, doubling every hop.
        var broker = builder.GetBrokerConnectionString();
        builder.AddRabbitMQClient(MessagingExtensions.ConnectionName, settings =>
            {
                settings.DisableTracing = true;
                settings.ConnectionString = broker.Primary.OriginalString; // Aspire parses it as one URI
            },
            broker.Apply);

        // The bus the gateway publishes on, and only publishes: RefusedPublishRecovery may close its connection.
        builder.AddChatBus(configureBus: (context, bus) =>
        {
            // Every gateway's endpoints declare these fanouts before it listens; publishing declares nothing, so a publish
            // never waits for a declaration on a new channel, where it could be overtaken (ChatSession keeps order).
            bus.Publish<ChatMessage>(publish => publish.Exclude = true);
            bus.Publish<PresenceUpdate>(publish => publish.Exclude = true);
            bus.Publish<TypingIndicator>(publish => publish.Exclude = true);
            bus.ConnectPublishObserver(context.GetRequiredService<RefusedPublishRecovery>());
        });
        // What it consumes, on a connection of its own, which flow control on the publishing one cannot hold up (IFanoutBus).
        builder.AddChatBus<IHostApplicationBuilder, IFanoutBus>(IFanoutBus.ConnectionName, bus =>
            {
                bus.AddConsumer<PresenceConsumer, PresenceConsumerDefinition>();
                bus.AddConsumer<TypingConsumer, TypingConsumerDefinition>();
            },
            DeliverChatMessageEndpoint.Configure);

        // After the buses: they start once those consume and stop (announcing this instance's end) before they do.
        services.AddHostedService(sp => sp.GetRequiredService<PresencePublisher>());
        services.AddHostedService<PresenceHeartbeat>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        return builder;
    }
}

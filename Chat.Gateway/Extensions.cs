using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.History;
using Chat.Gateway.Messaging;
using Chat.Gateway.Rooms;
using MassTransit;

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
        services.AddSingleton<ChatMessagePublisher>();
        services.AddSingleton<ChatSessionServices>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<ConnectionAcceptor>();
        services.AddSingleton<FanoutQueue>();
        services.AddHealthChecks().AddCheck<FanoutHealthCheck>("fanout-queue", tags: ["ready"]);

        var historyTimeout = builder.Configuration.GetValue($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.HistoryTimeout)}", TimeSpan.FromSeconds(2));
        // The service defaults' standard handler would retry for up to 30 s; join must answer within HistoryTimeout.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to replace the default handler.
        services.AddHttpClient<HistoryClient>(http => http.BaseAddress = new Uri("http://history"))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddStandardResilienceHandler(resilience =>
            {
                // join waits for history at most HistoryTimeout, then answers from the recent buffer.
                resilience.TotalRequestTimeout.Timeout = historyTimeout;
                resilience.AttemptTimeout.Timeout = historyTimeout / 2;
                resilience.CircuitBreaker.SamplingDuration = historyTimeout * 2;
                resilience.Retry.MaxRetryAttempts = 1;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(50);
                // While history is down, joins answer from the buffer at once instead of each waiting the timeout.
                resilience.CircuitBreaker.MinimumThroughput = 2;
                resilience.CircuitBreaker.FailureRatio = 0.5;
                resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
            });

        // Aspire's RabbitMQ client asks the broker whether this instance's fanout queue has a consumer (FanoutHealthCheck).
        // Its tracing is off: RabbitMQ.Client's sources would also trace MassTransit's channels, doubling every hop.
        builder.AddRabbitMQClient(MessagingExtensions.ConnectionName, settings => settings.DisableTracing = true);
        builder.AddChatBus(bus => bus.AddConsumer<DeliverChatMessageConsumer, DeliverChatMessageConsumerDefinition>(),
            // Every gateway's endpoint declares the fanout before it listens; publishing declares nothing, so a publish
            // never waits for a declaration on a new channel, where it could be overtaken (ChatSession keeps order).
            bus => bus.Publish<ChatMessage>(publish => publish.Exclude = true));
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        return builder;
    }
}

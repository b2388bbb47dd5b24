using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.History;
using Chat.Gateway.Messaging;
using Chat.Gateway.Rooms;
using MassTransit;
using MassTransit.Serialization;

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
        services.AddHostedService<FanoutConsumer>();
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

        // Aspire's RabbitMQ client: an IConnection that recovers by itself (with the queue, binding and consumer declared
        // on it), with its health check. The gateway consumes its own fanout queue on it (FanoutConsumer) and asks the
        // broker about that queue (FanoutHealthCheck). Its tracing is off: it would listen to RabbitMQ.Client's own
        // sources, which trace MassTransit's channel too, doubling the publish with an AMQP-level span beside
        // MassTransit's; the consumer makes its own span.
        // It recovers after 1 s instead of RabbitMQ.Client's 5: what the fanout queue gathers meanwhile is delivered in one
        // burst when it does, and a burst larger than a client's outbox closes that client with 1013 (seen in the
        // broker-restart test, where MassTransit's own connection had reconnected sooner).
        builder.AddRabbitMQClient("messaging", settings => settings.DisableTracing = true,
            factory => factory.NetworkRecoveryInterval = TimeSpan.FromSeconds(1));

        // MassTransit publishes (with publisher confirms); this service has no MassTransit consumer (see FanoutConsumer).
        services.AddMassTransit(bus =>
        {
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(builder.Configuration.GetConnectionString("messaging")
                    ?? throw new InvalidOperationException("ConnectionStrings:messaging is not set: run the gateway through Chat.AppHost.")));
                // The event's own JSON on the wire instead of MassTransit's envelope: about a sixth of the bytes, and no
                // envelope to parse in every consumer. Its id travels in the AMQP message_id, its trace context in
                // MT-Activity-Id; the type is the exchange's. No AddTransportHeaders: its per-message host-info JSON and
                // copies of the ids cost the broker (garbage collection of the queues' heaps) more than they tell.
                // Events in the envelope (from older gateways) are still read (ChatMessageReader).
                cfg.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType);
            });
        });
        services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.StartTimeout = TimeSpan.FromSeconds(60);
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        return builder;
    }
}

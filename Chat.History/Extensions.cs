using Chat.History.Apis;
using Chat.History.Diagnostics;
using Chat.History.Messaging;
using Chat.History.Storage;
using MassTransit;
using MassTransit.Serialization;

namespace Chat.History;

static class Extensions
{
    /// <summary>Registers everything history needs: options, the store and its writer, the bus and the API's JSON.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HistoryOptions>()
            .BindConfiguration(HistoryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<HistoryTelemetry>();
        services.AddSingleton<IMessageStore, SqliteMessageStore>();
        // Registered before the bus, so it is stopped after it: consumers waiting for a commit are answered.
        services.AddSingleton<BatchingMessageWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchingMessageWriter>());
        services.AddHealthChecks().AddCheck<MessageStoreHealthCheck>("message-store");

        services.AddProblemDetails();
        services.AddOpenApi();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new UtcTimestampJsonConverter());
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, HistoryJsonContext.Default);
        });

        // Tracing off, as in the gateway: MassTransit's spans already trace each message; RabbitMQ.Client's would double them.
        builder.AddRabbitMQClient("messaging", settings => settings.DisableTracing = true);

        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConsumer<StoreChatMessageConsumer, StoreChatMessageConsumerDefinition>();
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(builder.Configuration.GetConnectionString("messaging")
                    ?? throw new InvalidOperationException("ConnectionStrings:messaging is not set: run history through Chat.AppHost.")));
                // The event's own JSON on the wire instead of MassTransit's envelope: about a sixth of the bytes, and no
                // envelope to parse in every consumer. Its id travels in the AMQP message_id, its trace context in
                // MT-Activity-Id; the type is the exchange's. No AddTransportHeaders: its per-message host-info JSON and
                // copies of the ids cost the broker (garbage collection of the queues' heaps) more than they tell.
                // Events in the envelope (from older gateways) are still read.
                cfg.UseRawJsonSerializer(RawSerializerOptions.AnyMessageType);
                cfg.ConfigureEndpoints(context);
            });
        });
        services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.StartTimeout = TimeSpan.FromSeconds(60);
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return builder;
    }
}

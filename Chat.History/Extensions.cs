using Chat.History.Apis;
using Chat.History.Diagnostics;
using Chat.History.Messaging;
using Chat.History.Storage;
using MassTransit;

namespace Chat.History;

static class Extensions
{
    /// <summary>Registers everything history needs: options, the store (<c>History:Store</c>) and its writer, the bus and the API's JSON.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HistoryOptions>()
            .BindConfiguration(HistoryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<HistoryTelemetry>();
        var options = builder.Configuration.GetSection(HistoryOptions.SectionName).Get<HistoryOptions>() ?? new HistoryOptions();
        if (options.Store == MessageStoreKind.Postgres)
        {
            // Aspire's client: one pooled data source, with its health check, tracing and metrics.
            builder.AddNpgsqlDataSource(PostgresMessageStore.ConnectionName);
            services.AddSingleton<IMessageStore, PostgresMessageStore>();
        }
        else
        {
            services.AddSingleton<IMessageStore, SqliteMessageStore>();
        }

        // Registered before the bus, so it is stopped after it: consumers waiting for a commit are answered.
        services.AddSingleton<BatchingMessageWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchingMessageWriter>());
        services.AddHealthChecks().AddCheck<MessageStoreHealthCheck>("message-store");

        services.AddProblemDetails();
        builder.AddChatIdentity();
        services.AddOpenApi();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new UtcTimestampJsonConverter());
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, HistoryJsonContext.Default);
        });

        builder.AddChatBus(bus => bus.AddConsumer<StoreChatMessageConsumer, StoreChatMessageConsumerDefinition>());

        return builder;
    }
}

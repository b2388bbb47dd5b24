using MassTransit;
using Microsoft.Extensions.Options;

namespace Chat.History.Messaging;

/// <summary>
/// The durable queue <c>chat-history</c>: a quorum queue, because it writes the gateways' non-persistent messages to
/// disk before the broker confirms them. Many are consumed at once to share a commit; storage errors are retried, then
/// go to <c>chat-history_error</c> (invalid events at once).
/// </summary>
public sealed class StoreChatMessageConsumerDefinition : ConsumerDefinition<StoreChatMessageConsumer>
{
    public const string QueueName = "chat-history";

    readonly HistoryOptions _options;

    public StoreChatMessageConsumerDefinition(IOptions<HistoryOptions> options)
    {
        _options = options.Value;
        EndpointName = QueueName;
        ConcurrentMessageLimit = _options.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<StoreChatMessageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.ConcurrentMessageLimit;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
        }

        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Ignore<InvalidChatMessageException>();
            retry.Intervals(100, 500, 2_000, 5_000);
        });
    }
}

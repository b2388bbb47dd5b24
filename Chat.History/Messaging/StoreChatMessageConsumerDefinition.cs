using Chat.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Chat.History.Messaging;

/// <summary>
/// The durable queue <c>chat-history</c>: a quorum queue, because it writes the gateways' non-persistent messages to
/// disk before the broker confirms them. Many are consumed at once to share a commit; storage errors are retried, then
/// go to <c>chat-history_error</c> (invalid events at once). Acknowledgements reach the broker in runs
/// (<see cref="AckCoalescingChannelContext"/>): one settle command in the quorum queue's log per run instead of one per
/// message; a run lost with the connection is delivered again, and stored once (the store ignores an id it has).
/// </summary>
public sealed class StoreChatMessageConsumerDefinition : ConsumerDefinition<StoreChatMessageConsumer>
{
    public const string QueueName = "chat-history";

    readonly HistoryOptions _options;
    readonly ILogger _logger;

    public StoreChatMessageConsumerDefinition(IOptions<HistoryOptions> options, ILogger<StoreChatMessageConsumerDefinition> logger)
    {
        _options = options.Value;
        _logger = logger;
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
            rabbit.UseAckCoalescing(_options.ConcurrentMessageLimit, _logger);
        }

        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Ignore<InvalidChatMessageException>();
            retry.Intervals(100, 500, 2_000, 5_000);
        });
    }
}

using MassTransit;
using Microsoft.Extensions.Options;

namespace Chat.History.Messaging;

/// <summary>
/// The durable queue <c>chat-history</c>, bound to the <see cref="ChatMessage"/> fanout, so that messages published
/// while history is down wait for it. It is a quorum queue, and has to be: the gateways publish non-persistent
/// messages, and a quorum queue is what writes every message to disk before the broker confirms it (a classic
/// queue would keep them in memory only and lose them in a broker restart). Many messages are consumed at once so they can
/// share a commit. Storage errors are retried a few times, then the message goes to <c>chat-history_error</c>;
/// invalid events go there at once.
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

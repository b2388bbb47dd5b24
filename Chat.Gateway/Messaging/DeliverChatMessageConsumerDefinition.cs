using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This instance's own endpoint on the <see cref="ChatMessage"/> fanout (<see cref="FanoutQueue"/>, an
/// <see cref="InstanceEndpoint"/>): one message at a time, so every client sees a room in the broker's order.
/// </summary>
public sealed class DeliverChatMessageConsumerDefinition : ConsumerDefinition<DeliverChatMessageConsumer>
{
    /// <summary>Deliveries the broker may send ahead of the one being handled.</summary>
    public const int Prefetch = 1024;

    readonly ILogger _logger;

    public DeliverChatMessageConsumerDefinition(FanoutQueue queue, ILogger<DeliverChatMessageConsumer> logger)
    {
        _logger = logger;
        EndpointName = queue.Name;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeliverChatMessageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        InstanceEndpoint.Configure(endpointConfigurator, Prefetch, _logger);
    }
}

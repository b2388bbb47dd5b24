using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This instance's own endpoint on the <see cref="ChatMessage"/> fanout (<see cref="FanoutQueue"/>): one message at a
/// time, so every client sees a room in the broker's order. The queue is durable, so its binding outlives a broker
/// restart, and expires a minute after its gateway is gone. Nothing it cannot read is retried or kept.
/// </summary>
public sealed class DeliverChatMessageConsumerDefinition : ConsumerDefinition<DeliverChatMessageConsumer>
{
    /// <summary>Deliveries the broker may send ahead of the one being handled.</summary>
    public const int Prefetch = 1024;

    /// <summary>How long the broker keeps this gateway's queue after its last consumer went away.</summary>
    public static readonly TimeSpan QueueExpiry = TimeSpan.FromMinutes(1);

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
        endpointConfigurator.PrefetchCount = Prefetch;
        // A live delivery is worth nothing later: no error or skipped queue per instance, no fault events.
        endpointConfigurator.ConfigureError(error => error.UseFilter(new DropFaultedMessageFilter(_logger)));
        endpointConfigurator.DiscardSkippedMessages();
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Durable = true;
            rabbit.AutoDelete = false;
            rabbit.QueueExpiration = QueueExpiry;
        }
    }
}

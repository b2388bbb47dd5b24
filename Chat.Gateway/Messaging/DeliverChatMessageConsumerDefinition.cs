using Chat.Gateway.Diagnostics;
using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This instance's endpoint on the <see cref="ChatMessage"/> fanout (<c>chat-message-&lt;node&gt;</c>, <see cref="FanoutQueue"/>),
/// whose acknowledgements reach the broker in runs (<see cref="AckCoalescingChannelContext"/>).
/// </summary>
public sealed class DeliverChatMessageConsumerDefinition(GatewayNode node, BrokerConnectionString broker, ILogger<DeliverChatMessageConsumer> logger)
    : InstanceConsumerDefinition<DeliverChatMessageConsumer>(FanoutQueue.Prefix, Prefetch, node, broker, logger)
{
    /// <summary>Deliveries the broker may send ahead of the one being handled.</summary>
    public const int Prefetch = 1024;

    /// <summary>How late an acknowledgement may reach the broker; the prefetch keeps deliveries coming meanwhile.</summary>
    public static readonly TimeSpan MaxAckDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Acknowledgements sent as one: an eighth of the prefetch. What the broker redelivers after a connection loss the
    /// recent buffer recognises by id (<see cref="Rooms.RecentMessageBuffer"/>), so it reaches no client twice.
    /// </summary>
    public const int MaxDeferredAcks = Prefetch / 8;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DeliverChatMessageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        base.ConfigureConsumer(endpointConfigurator, consumerConfigurator, context);
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            var coalescing = new AckCoalescingFilter(MaxDeferredAcks, MaxAckDelay, TimeProvider.System, logger);
            rabbit.ConfigureChannel(channel => channel.UseFilter(coalescing));
        }
    }
}

using Chat.Gateway.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This instance's endpoint on the <see cref="ChatMessage"/> fanout (<c>chat-message-&lt;node&gt;</c>, <see cref="FanoutQueue"/>),
/// whose acknowledgements reach the broker in runs (<see cref="AckCoalescingChannelContext"/>).
/// </summary>
public sealed class DeliverChatMessageConsumerDefinition(GatewayNode node, BrokerConnectionString broker, IOptions<GatewayOptions> options,
    ILogger<DeliverChatMessageConsumer> logger)
    : InstanceConsumerDefinition<DeliverChatMessageConsumer>(FanoutQueue.Prefix, Prefetch, node, broker, logger)
{
    /// <summary>Deliveries the broker may send ahead of the one being handled.</summary>
    public const int Prefetch = 1024;

    /// <summary>How late an acknowledgement may reach the broker; the prefetch keeps deliveries coming meanwhile.</summary>
    public static readonly TimeSpan MaxAckDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Acknowledgements sent as one: an eighth of the prefetch. What the broker redelivers after a connection loss is at
    /// most two runs (one on its way, one taken meanwhile), within what the recent buffer keeps of a room, so it is
    /// recognised there and reaches no client twice.
    /// </summary>
    public int MaxDeferredAcks { get; } = Math.Max(1, Math.Min(Prefetch / 8, options.Value.RecentMessagesPerRoom / 2));

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

using Chat.Gateway.Diagnostics;

namespace Chat.Gateway.Messaging;

/// <summary>This instance's endpoint on the <see cref="ChatMessage"/> fanout (<c>chat-message-&lt;node&gt;</c>, <see cref="FanoutQueue"/>).</summary>
public sealed class DeliverChatMessageConsumerDefinition(GatewayNode node, BrokerConnectionString broker, ILogger<DeliverChatMessageConsumer> logger)
    : InstanceConsumerDefinition<DeliverChatMessageConsumer>(FanoutQueue.Prefix, Prefetch, node, broker, logger)
{
    /// <summary>Deliveries the broker may send ahead of the one being handled.</summary>
    public const int Prefetch = 1024;
}

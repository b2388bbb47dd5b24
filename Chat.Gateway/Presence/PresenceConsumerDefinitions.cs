using Chat.Gateway.Diagnostics;
using Chat.Gateway.Messaging;

namespace Chat.Gateway.Presence;

/// <summary>
/// This instance's presence endpoint (<c>chat-presence-&lt;node&gt;</c>): one instance's updates apply in their order. Typing
/// has an endpoint of its own: events travel as raw JSON, so every consumer of an endpoint would get every event on it.
/// </summary>
public sealed class PresenceConsumerDefinition(GatewayNode node, BrokerConnectionString broker, ILogger<PresenceConsumer> logger)
    : InstanceConsumerDefinition<PresenceConsumer>("chat-presence", prefetch: 256, node, broker, logger);

/// <summary>This instance's typing endpoint (<c>chat-typing-&lt;node&gt;</c>).</summary>
public sealed class TypingConsumerDefinition(GatewayNode node, BrokerConnectionString broker, ILogger<TypingConsumer> logger)
    : InstanceConsumerDefinition<TypingConsumer>("chat-typing", prefetch: 256, node, broker, logger);

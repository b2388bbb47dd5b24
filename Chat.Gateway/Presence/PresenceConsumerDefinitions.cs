using Chat.Gateway.Diagnostics;
using Chat.Gateway.Messaging;
using MassTransit;

namespace Chat.Gateway.Presence;

/// <summary>
/// This instance's presence endpoint (<c>chat-presence-&lt;node&gt;</c>, an <see cref="InstanceEndpoint"/>): one message
/// at a time, so one instance's updates apply in their order. Typing has an endpoint of its own: events travel as raw
/// JSON, so every consumer of an endpoint would be handed every event on it.
/// </summary>
public sealed class PresenceConsumerDefinition : ConsumerDefinition<PresenceConsumer>
{
    public const int Prefetch = 256;

    readonly ILogger _logger;

    public PresenceConsumerDefinition(GatewayNode node, ILogger<PresenceConsumer> logger)
    {
        _logger = logger;
        EndpointName = InstanceEndpoint.Name("chat-presence", node.Id);
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PresenceConsumer> consumerConfigurator, IRegistrationContext context) =>
        InstanceEndpoint.Configure(endpointConfigurator, Prefetch, _logger);
}

/// <summary>This instance's typing endpoint (<c>chat-typing-&lt;node&gt;</c>, an <see cref="InstanceEndpoint"/>).</summary>
public sealed class TypingConsumerDefinition : ConsumerDefinition<TypingConsumer>
{
    public const int Prefetch = 256;

    readonly ILogger _logger;

    public TypingConsumerDefinition(GatewayNode node, ILogger<TypingConsumer> logger)
    {
        _logger = logger;
        EndpointName = InstanceEndpoint.Name("chat-typing", node.Id);
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TypingConsumer> consumerConfigurator, IRegistrationContext context) =>
        InstanceEndpoint.Configure(endpointConfigurator, Prefetch, _logger);
}

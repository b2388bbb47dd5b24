using Chat.Gateway.Diagnostics;
using Chat.Gateway.Messaging;
using MassTransit;

namespace Chat.Gateway.Presence;

/// <summary>
/// This instance's endpoint for presence and typing (<c>chat-presence-&lt;node&gt;</c>, an <see cref="InstanceEndpoint"/>):
/// both consumers share it, one message at a time, so one instance's presence updates apply in their order.
/// </summary>
public sealed class PresenceConsumerDefinition : ConsumerDefinition<PresenceConsumer>
{
    public const int Prefetch = 256;

    readonly ILogger _logger;

    public PresenceConsumerDefinition(GatewayNode node, ILogger<PresenceConsumer> logger)
    {
        _logger = logger;
        EndpointName = EndpointNameFor(node);
        ConcurrentMessageLimit = 1;
    }

    public static string EndpointNameFor(GatewayNode node) => InstanceEndpoint.Name("chat-presence", node.Id);

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PresenceConsumer> consumerConfigurator, IRegistrationContext context) =>
        InstanceEndpoint.Configure(endpointConfigurator, Prefetch, _logger);
}

/// <summary>Puts <see cref="TypingConsumer"/> on the same endpoint as <see cref="PresenceConsumerDefinition"/>.</summary>
public sealed class TypingConsumerDefinition : ConsumerDefinition<TypingConsumer>
{
    public TypingConsumerDefinition(GatewayNode node)
    {
        EndpointName = PresenceConsumerDefinition.EndpointNameFor(node);
        ConcurrentMessageLimit = 1;
    }
}

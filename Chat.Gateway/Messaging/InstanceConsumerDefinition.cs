using Chat.Gateway.Diagnostics;
using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>A consumer on an endpoint of this gateway instance's own (<see cref="InstanceEndpoint"/>): one message at a time, in the broker's order.</summary>
public abstract class InstanceConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    readonly int _prefetch;
    readonly bool _quorum;
    readonly ILogger _logger;

    protected InstanceConsumerDefinition(string prefix, int prefetch, GatewayNode node, BrokerConnectionString broker, ILogger logger)
    {
        _prefetch = prefetch;
        _quorum = broker.IsCluster;
        _logger = logger;
        EndpointName = InstanceEndpoint.Name(prefix, node.Id);
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context) =>
        InstanceEndpoint.Configure(endpointConfigurator, _prefetch, _quorum, _logger);
}

using Chat.Gateway.Diagnostics;
using Chat.ServiceDefaults.Messaging;
using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This instance's endpoint on the <see cref="ChatMessage"/> fanout (<c>chat-message-&lt;node&gt;</c>, <see cref="FanoutQueue"/>):
/// one message at a time, in the broker's order, to the process's one <see cref="DeliverChatMessageConsumer"/>, with
/// acknowledgements that reach the broker in runs (<see cref="AckCoalescingChannelContext"/>).
/// </summary>
public static class DeliverChatMessageEndpoint
{
    /// <summary>
    /// Deliveries the broker may send ahead of the one being handled. With 1,024 the window was full and the queue held a
    /// backlog under burst load, which costs the broker more per message (docs/performance.md, session 10).
    /// </summary>
    public const int Prefetch = 4096;

    /// <summary>
    /// Adds the endpoint. Its consumer is an instance, not a registration: every replica consumes every message, and a
    /// dependency-injection scope per message was a tenth of this loop's CPU (perf, talk) for a consumer that holds none.
    /// </summary>
    public static void Configure(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator bus)
    {
        var logger = context.GetRequiredService<ILogger<DeliverChatMessageConsumer>>();
        var quorum = context.GetRequiredService<BrokerConnectionString>().IsCluster;
        bus.ReceiveEndpoint(InstanceEndpoint.Name(FanoutQueue.Prefix, context.GetRequiredService<GatewayNode>().Id), endpoint =>
        {
            InstanceEndpoint.Configure(endpoint, Prefetch, quorum, logger);
            // A run redelivered after a connection loss reaches no client twice: the recent buffer knows its ids.
            endpoint.UseAckCoalescing(Prefetch, logger);
            endpoint.Instance(context.GetRequiredService<DeliverChatMessageConsumer>());
        });
    }
}

using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// Each gateway instance consumes the fanout through its own queue, named after the instance, so that every instance
/// sees every message; the pattern of MassTransit's SignalR <c>HubConsumerDefinition</c>, except that the queue is
/// durable with an expiry instead of temporary (see <see cref="ConfigureConsumer"/>). Messages are only handed to
/// in-memory outboxes, so no retry is needed, and they are consumed one at a time: that keeps the broker's order, so
/// every client sees a room in the same order.
/// </summary>
public sealed class ChatMessageConsumerDefinition : ConsumerDefinition<ChatMessageConsumer>
{
    public ChatMessageConsumerDefinition(FanoutQueue queue)
    {
        Endpoint(e =>
        {
            e.Name = queue.Name;
            e.PrefetchCount = 512;
            e.ConcurrentMessageLimit = 1;
        });
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ChatMessageConsumer> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // Durable, so the queue and its bindings survive a broker restart (a temporary queue's route from the fanout
            // exchange was seen not to come back), and removed by the broker a minute after its gateway is gone.
            rabbit.Durable = true;
            rabbit.AutoDelete = false;
            rabbit.Exclusive = false;
            rabbit.SetQueueArgument("x-expires", (int)TimeSpan.FromMinutes(1).TotalMilliseconds);
        }
    }
}

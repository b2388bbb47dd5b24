using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// Each gateway instance consumes the fanout through its own temporary queue (non-durable, auto-delete), named
/// after the instance, so that every instance sees every message; the pattern of MassTransit's SignalR
/// <c>HubConsumerDefinition</c>. Messages are only handed to in-memory outboxes, so no retry is needed, and they
/// are consumed one at a time: that keeps the broker's order, so every client sees a room in the same order.
/// </summary>
public sealed class ChatMessageConsumerDefinition : ConsumerDefinition<ChatMessageConsumer>
{
    public ChatMessageConsumerDefinition(FanoutQueue queue)
    {
        Endpoint(e =>
        {
            e.Name = queue.Name;
            e.Temporary = true;
            e.PrefetchCount = 512;
            e.ConcurrentMessageLimit = 1;
        });
    }
}

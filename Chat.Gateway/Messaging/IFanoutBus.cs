using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// The bus of the <see cref="ChatMessage"/> fanout endpoint (<see cref="DeliverChatMessageEndpoint"/>): a connection that
/// only consumes. RabbitMQ applies flow control to a publishing connection by no longer reading from it, acknowledgements
/// included; on the publishing connection the fanout's acknowledgements would wait behind the gateway's own publishes.
/// </summary>
public interface IFanoutBus : IBus
{
    /// <summary>The connection's name, as the broker lists it.</summary>
    const string ConnectionName = "Chat.Gateway fanout";
}

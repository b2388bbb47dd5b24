using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// The bus of this instance's endpoints on the fanouts it consumes: <see cref="ChatMessage"/>
/// (<see cref="DeliverChatMessageEndpoint"/>), presence and typing. A connection that only consumes: RabbitMQ applies flow
/// control to a publishing connection by no longer reading from it, acknowledgements included, so on the publishing
/// connection the acknowledgements would wait behind the gateway's own publishes; and <see cref="RefusedPublishRecovery"/>
/// closes the publishing connection, which leaves these endpoints listening.
/// </summary>
public interface IFanoutBus : IBus
{
    /// <summary>The connection's name, as the broker lists it.</summary>
    const string ConnectionName = "Chat.Gateway fanout";
}

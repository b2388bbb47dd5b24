using Chat.Gateway.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Chat.Gateway.Messaging;

/// <summary>
/// This instance's fanout queue (<c>chat-message-&lt;node&gt;</c>), and a look at it from outside its consumer: through
/// Aspire's RabbitMQ connection it asks the broker how many consumers the queue has. A gateway whose queue has none
/// receives no messages, however healthy it otherwise looks.
/// </summary>
public sealed class FanoutQueue(GatewayNode node, IServiceProvider services)
{
    public const string Prefix = "chat-message";

    public string Name { get; } = InstanceEndpoint.Name(Prefix, node.Id);

    /// <summary>The queue's consumers (0 when it does not exist), or the reason the broker could not be asked.</summary>
    public async Task<(uint? Consumers, string? Problem)> GetConsumerCountAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = services.GetRequiredService<IConnection>();
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var queue = await channel.QueueDeclarePassiveAsync(Name, cancellationToken);
            return (queue.ConsumerCount, null);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return (0, null);
        }
        catch (Exception ex) when (ex is RabbitMQClientException or IOException or OperationInterruptedException or AlreadyClosedException or TimeoutException)
        {
            return (null, ex.Message);
        }
    }
}

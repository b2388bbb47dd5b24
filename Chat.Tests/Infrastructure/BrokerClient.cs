using System.Text;
using Aspire.Hosting.Testing;
using System.Text.Json;
using RabbitMQ.Client;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Talks to the app's RabbitMQ directly, to do what no gateway would: publish the same event twice, a burst of
/// thousands, malformed or oversized events; and to look at queues.
/// </summary>
sealed class BrokerClient : IAsyncDisposable
{
    /// <summary>MassTransit's publish exchange for the event (its full type name).</summary>
    public const string ChatMessageExchange = "Chat.Contracts:ChatMessage";

    readonly IConnection _connection;
    readonly IChannel _channel;

    BrokerClient(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public static async Task<BrokerClient> ConnectAsync(ChatAppFixture app)
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await app.App.GetConnectionStringAsync(ChatAppFixture.Messaging, ct).AsTask().WaitAsync(TestTimeouts.Network, ct);
        var factory = new ConnectionFactory { Uri = new Uri(connectionString!), ClientProvidedName = "chat-tests" };
        var connection = await factory.CreateConnectionAsync(ct).WaitAsync(TestTimeouts.Network, ct);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        return new BrokerClient(connection, channel);
    }

    /// <summary>A <see cref="ChatMessage"/> as the gateway publishes it: its own JSON (MassTransit's raw JSON serializer).</summary>
    public static byte[] Body(ChatMessage message) => JsonSerializer.SerializeToUtf8Bytes(Payload(message));

    /// <summary>The event's fields as MassTransit's serializer writes them (camelCase).</summary>
    static object Payload(ChatMessage message) =>
        new { id = message.Id, room = message.Room, user = message.User, text = message.Text, sentAt = message.SentAt, node = message.Node };

    /// <summary>Publishes an event as the gateway does and waits for the broker's confirm.</summary>
    public Task PublishAsync(ChatMessage message) => PublishAsync(Body(message), RawJson(message.Id));

    /// <summary>Publishes a body (well-formed or not) to an event's fanout exchange (ChatMessage's unless told) and waits for the broker's confirm.</summary>
    public async Task PublishAsync(byte[] body, BasicProperties? properties = null, string exchange = ChatMessageExchange)
    {
        var ct = TestContext.Current.CancellationToken;
        await _channel.BasicPublishAsync(exchange, "", mandatory: false, properties ?? RawJson(null), body, ct).AsTask().WaitAsync(TestTimeouts.Network, ct);
    }

    /// <summary>Publishes many events as the gateway does, confirms awaited together in windows.</summary>
    public async Task PublishManyAsync(IEnumerable<ChatMessage> messages, int window = 500)
    {
        var ct = TestContext.Current.CancellationToken;
        var pending = new List<Task>(window);
        foreach (var message in messages)
        {
            pending.Add(_channel.BasicPublishAsync(ChatMessageExchange, "", mandatory: false, RawJson(message.Id), Body(message), ct).AsTask());
            if (pending.Count == window)
            {
                await Task.WhenAll(pending).WaitAsync(TestTimeouts.Long, ct);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending).WaitAsync(TestTimeouts.Long, ct);
    }

    /// <summary>The properties of a raw JSON event: the content type, and the id MassTransit reads as the message id.</summary>
    static BasicProperties RawJson(Guid? messageId) => new() { ContentType = "application/json", MessageId = messageId?.ToString() };

    /// <summary>Messages ready in a queue; 0 when it does not exist (yet: MassTransit declares error queues on first use).</summary>
    public async Task<uint> CountAsync(string queue) => (await InspectAsync(queue))?.MessageCount ?? 0;

    /// <summary>Consumers of a queue; 0 when it does not exist.</summary>
    public async Task<uint> ConsumersAsync(string queue) => (await InspectAsync(queue))?.ConsumerCount ?? 0;

    /// <summary>The broker's view of a queue (a passive declare), or null when it does not exist.</summary>
    async Task<QueueDeclareOk?> InspectAsync(string queue)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, ct).WaitAsync(TestTimeouts.Network, ct);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Deletes a queue, as an operator might: the broker cancels its consumers.</summary>
    public async Task DeleteQueueAsync(string queue)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeleteAsync(queue, cancellationToken: ct).WaitAsync(TestTimeouts.Network, ct);
    }

    /// <summary>Takes one message off a queue (acknowledged), or null when it is empty.</summary>
    public async Task<BasicGetResult?> GetAsync(string queue)
    {
        var ct = TestContext.Current.CancellationToken;
        return await _channel.BasicGetAsync(queue, autoAck: true, ct).WaitAsync(TestTimeouts.Network, ct);
    }

    /// <summary>Declares a queue with the given arguments; throws when it exists with other ones.</summary>
    public async Task DeclareAsync(string queue, IDictionary<string, object?> arguments)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: ct).WaitAsync(TestTimeouts.Network, ct);
    }

    /// <summary>Binds a queue to an exchange (a fanout's: no routing key).</summary>
    public async Task BindAsync(string queue, string exchange)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        await channel.QueueBindAsync(queue, exchange, routingKey: "", cancellationToken: ct).WaitAsync(TestTimeouts.Network, ct);
    }

    public static string Text(BasicGetResult result) => Encoding.UTF8.GetString(result.Body.Span);

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

using System.Diagnostics;
using Chat.Bench.Workload;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Chat.Bench.Baselines;

/// <summary>
/// The raw broker limit, on the app's own RabbitMQ: the same messages (clients × messages, the same payload), published
/// with RabbitMQ.Client and publisher confirms (one channel per client, the same send window) as persistent messages to a
/// fanout exchange bound to three queues shaped like the app's: two transient auto-delete queues (the gateways') and one
/// durable quorum queue (history's). All three are consumed here with manual acknowledgements; latency is from publish to
/// each consume. The exchange and queues are the bench's own and are deleted afterwards.
/// </summary>
public static class RawBrokerBaseline
{
    public const string Name = "raw broker";

    public const string Description = "raw broker: RabbitMQ.Client, one confirming channel per client publishing persistent messages to a fanout exchange bound to 2 transient queues + 1 quorum queue, all consumed here (manual acks, prefetch 512)";

    const ushort Prefetch = 512;

    public static async Task<RoundResult> RunAsync(string connectionString, WorkloadPlan plan, int repetition,
        IProgress<WorkloadProgress>? progress, IRoundMeter? meter, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var exchange = $"chat-bench.raw.{id}";
        string[] queues = [$"chat-bench.raw.{id}.gateway-1", $"chat-bench.raw.{id}.gateway-2", $"chat-bench.raw.{id}.history"];
        var senders = Enumerable.Range(0, plan.Clients).ToArray();
        // One receiver per queue, each expecting every message once.
        var receivers = queues.Select(_ => new DeliveryTracker(senders, plan.MessagesPerClient)).ToArray();
        // Accepting is counted per publisher, as per client elsewhere.
        var publishers = senders.Select(_ => new DeliveryTracker([], 0, plan.Window)).ToArray();

        var factory = new ConnectionFactory { Uri = new Uri(connectionString), ClientProvidedName = "chat-bench-raw" };
        await using var publishing = await factory.CreateConnectionAsync("chat-bench-raw-publish", cancellationToken);
        await using var consuming = await factory.CreateConnectionAsync("chat-bench-raw-consume", cancellationToken);
        await using var setup = await publishing.CreateChannelAsync(cancellationToken: cancellationToken);
        var problems = new List<string>();
        long started = 0;
        IReadOnlyDictionary<string, double> cpu = new Dictionary<string, double>();
        var consumerChannels = new List<IChannel>();
        try
        {
            await setup.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await setup.QueueDeclareAsync(queues[0], durable: false, exclusive: false, autoDelete: true, cancellationToken: cancellationToken);
            await setup.QueueDeclareAsync(queues[1], durable: false, exclusive: false, autoDelete: true, cancellationToken: cancellationToken);
            await setup.QueueDeclareAsync(queues[2], durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
            foreach (var queue in queues)
            {
                await setup.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken);
            }

            for (var q = 0; q < queues.Length; q++)
            {
                var channel = await consuming.CreateChannelAsync(cancellationToken: cancellationToken);
                consumerChannels.Add(channel);
                await channel.BasicQosAsync(0, Prefetch, false, cancellationToken);
                var receiver = receivers[q];
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += async (_, delivery) =>
                {
                    receiver.OnMessage(BenchPayload.TryParse(delivery.Body.Span, out var payload) ? payload : null);
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                };
                await channel.BasicConsumeAsync(queues[q], autoAck: false, consumer, cancellationToken);
            }

            var channels = new IChannel[plan.Clients];
            for (var i = 0; i < plan.Clients; i++)
            {
                channels[i] = await publishing.CreateChannelAsync(new CreateChannelOptions(
                    publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            }

            try
            {
                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var sending = Enumerable.Range(0, plan.Clients)
                    .Select(i => PublishAllAsync(channels[i], exchange, publishers[i], i, plan, signal.Task, cancellationToken))
                    .ToArray();
                meter?.Start();
                started = Stopwatch.GetTimestamp();
                signal.SetResult();
                var stalled = await WorkloadRunner.WaitForDeliveriesAsync([.. receivers, .. publishers], plan, started, progress, cancellationToken);
                cpu = meter?.Stop() ?? cpu;
                if (stalled)
                {
                    problems.Add($"nothing arrived for {plan.StallTimeout.TotalSeconds:0} s");
                }

                foreach (var task in sending)
                {
                    if (await Task.WhenAny(task) is { IsFaulted: true } faulted)
                    {
                        problems.Add($"a publisher failed: {faulted.Exception!.GetBaseException().Message}");
                    }
                }
            }
            finally
            {
                foreach (var channel in channels.Where(c => c is not null))
                {
                    await channel.DisposeAsync();
                }
            }
        }
        finally
        {
            foreach (var channel in consumerChannels)
            {
                await channel.DisposeAsync();
            }

            foreach (var queue in queues)
            {
                await setup.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None);
            }

            await setup.ExchangeDeleteAsync(exchange, cancellationToken: CancellationToken.None);
        }

        // Figures as for every target: accepted = confirmed publishes, deliveries = consumes on the three queues.
        var result = WorkloadRunner.Summarise(Name, plan, repetition, [.. receivers, .. publishers], started, problems);
        return result with
        {
            Rooms = 1,
            Spread = new Dictionary<string, int> { ["channels"] = plan.Clients },
            CpuSeconds = cpu,
        };
    }

    static async Task PublishAllAsync(IChannel channel, string exchange, DeliveryTracker publisher, int index, WorkloadPlan plan,
        Task signal, CancellationToken cancellationToken)
    {
        await signal;
        var properties = new BasicProperties { Persistent = true, ContentType = "text/plain" };
        var confirms = new List<Task>(plan.MessagesPerClient);
        for (var sequence = 0; sequence < plan.MessagesPerClient; sequence++)
        {
            await publisher.WaitToSendAsync(cancellationToken);
            var body = new byte[BenchPayload.MaxLength];
            var length = new BenchPayload(index, sequence, Stopwatch.GetTimestamp()).Format(body);
            confirms.Add(ConfirmAsync(channel.BasicPublishAsync(exchange, "", mandatory: false, properties, body.AsMemory(0, length), cancellationToken), publisher));
        }

        await Task.WhenAll(confirms);
    }

    static async Task ConfirmAsync(ValueTask publish, DeliveryTracker publisher)
    {
        try
        {
            await publish;
            publisher.OnAccepted();
        }
        catch (RabbitMQ.Client.Exceptions.PublishException ex)
        {
            publisher.OnRejected($"nack {ex.PublishSequenceNumber}");
        }
    }
}

using Chat.ServiceDefaults.Messaging;
using Chat.Tests.Infrastructure;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Chat.Tests.Unit;

/// <summary>
/// The coalescing channel: single acknowledgements in delivery order reach the broker as few multiple ones, and never
/// one that covers a delivery not yet settled.
/// </summary>
public sealed class AckCoalescingChannelContextTests
{
    const int MaxDeferred = 8;
    static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(10);
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    readonly FakeTimeProvider _time = new();
    readonly RecordingChannel _broker = new();

    AckCoalescingChannelContext Create() => new(_broker, MaxDeferred, MaxDelay, _time, NullLogger.Instance);

    static async Task AckAsync(AckCoalescingChannelContext channel, ulong from, ulong to)
    {
        for (var tag = from; tag <= to; tag++)
        {
            await channel.BasicAck(tag, multiple: false, Cancel);
        }
    }

    [Fact]
    public async Task A_run_of_single_acknowledgements_reaches_the_broker_as_one_multiple_acknowledgement_once_it_is_long_enough()
    {
        await using var channel = Create();

        await AckAsync(channel, 1, MaxDeferred - 1);
        Assert.Empty(_broker.Sent);

        await channel.BasicAck(MaxDeferred, multiple: false, Cancel);
        Assert.Equal([$"ack {MaxDeferred} multiple"], _broker.Sent);
        Assert.Equal(0UL, channel.Deferred);
    }

    [Fact]
    public async Task A_short_run_reaches_the_broker_once_the_longest_delay_has_passed()
    {
        await using var channel = Create();
        await AckAsync(channel, 1, 3);

        _time.Advance(MaxDelay - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_broker.Sent);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _broker.Acknowledged(3).WaitAsync(TestTimeouts.Network, Cancel);
        Assert.Equal(["ack 3 multiple"], _broker.Sent);
    }

    [Fact]
    public async Task Acknowledgements_out_of_delivery_order_join_the_run_once_the_deliveries_before_them_are_settled()
    {
        await using var channel = Create();
        await AckAsync(channel, 1, 2);
        await channel.BasicAck(5, multiple: false, Cancel); // 3 and 4 are still being handled
        await channel.BasicAck(4, multiple: false, Cancel);
        await AckAsync(channel, 6, 7);
        Assert.Empty(_broker.Sent);

        await channel.BasicAck(3, multiple: false, Cancel); // 1 to 7 settled, with 8 the run is long enough
        await channel.BasicAck(MaxDeferred, multiple: false, Cancel);

        Assert.Equal([$"ack {MaxDeferred} multiple"], _broker.Sent);
        Assert.Equal(0UL, channel.Deferred);
    }

    [Fact]
    public async Task Acknowledgements_behind_a_delivery_still_being_handled_go_alone_once_delayed_and_no_multiple_names_them()
    {
        await using var channel = Create();
        await AckAsync(channel, 1, 2);
        await AckAsync(channel, 4, 5); // 3 takes long (a retry)

        _time.Advance(MaxDelay);
        await _broker.Acknowledged(5).WaitAsync(TestTimeouts.Network, Cancel);
        Assert.Equal(["ack 2 multiple", "ack 4", "ack 5"], _broker.Sent);

        // 3 settles: the broker no longer knows 4 and 5, so the next multiple acknowledgement must name 3, not 5.
        await channel.BasicAck(3, multiple: false, Cancel);
        await channel.FlushAsync();
        Assert.Equal(["ack 2 multiple", "ack 4", "ack 5", "ack 3 multiple"], _broker.Sent);
        Assert.Equal(0UL, channel.Deferred);
    }

    [Fact]
    public async Task A_rejection_goes_after_the_acknowledgements_before_it_and_the_next_run_starts_after_it()
    {
        await using var channel = Create();
        await AckAsync(channel, 1, 2);

        await channel.BasicNack(3, multiple: false, requeue: true, Cancel);
        await AckAsync(channel, 4, 4);
        await channel.FlushAsync();

        Assert.Equal(["ack 2 multiple", "nack 3", "ack 4 multiple"], _broker.Sent);
    }

    [Fact]
    public async Task Cancelling_the_consumer_and_the_end_of_the_channel_send_what_is_deferred_first()
    {
        var channel = Create();
        await AckAsync(channel, 1, 2);
        await channel.BasicCancel("consumer", Cancel);
        await AckAsync(channel, 3, 3);
        await channel.DisposeAsync();

        Assert.Equal(["ack 2 multiple", "cancel consumer", "ack 3 multiple"], _broker.Sent);
    }

    [Fact]
    public async Task Acknowledgements_that_cannot_be_sent_on_a_closed_channel_are_dropped_without_an_error()
    {
        await using var channel = Create();
        _broker.Closed = true;

        await AckAsync(channel, 1, MaxDeferred); // the broker redelivers them to the next channel
        Assert.Empty(_broker.Sent);
        Assert.Equal(0UL, channel.Deferred);
    }

    /// <summary>A channel that records what reaches the broker.</summary>
    sealed class RecordingChannel : BasePipeContext, ChannelContext
    {
        readonly Lock _lock = new();
        readonly List<(ulong Tag, TaskCompletionSource Done)> _waiting = [];
        readonly List<string> _sent = [];
        ulong _acknowledged;

        public bool Closed { get; set; }

        public IReadOnlyList<string> Sent
        {
            get
            {
                lock (_lock)
                {
                    return [.. _sent];
                }
            }
        }

        /// <summary>Completes once an acknowledgement of <paramref name="tag"/> (or above, multiple) reached the broker.</summary>
        public Task Acknowledged(ulong tag)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (_acknowledged >= tag)
                {
                    return Task.CompletedTask;
                }

                _waiting.Add((tag, done));
            }

            return done.Task;
        }

        void Record(string what, ulong? acknowledged = null)
        {
            lock (_lock)
            {
                _sent.Add(what);
                _acknowledged = Math.Max(_acknowledged, acknowledged ?? 0);
                foreach (var (tag, done) in _waiting.Where(w => acknowledged >= w.Tag))
                {
                    done.TrySetResult();
                }
            }
        }

        public ValueTask BasicAck(ulong deliveryTag, bool multiple, CancellationToken cancellationToken)
        {
            if (Closed)
            {
                throw new AlreadyClosedException(new ShutdownEventArgs(ShutdownInitiator.Peer, 320, "CONNECTION_FORCED"));
            }

            Record(multiple ? $"ack {deliveryTag} multiple" : $"ack {deliveryTag}", deliveryTag);
            return ValueTask.CompletedTask;
        }

        public Task BasicNack(ulong deliveryTag, bool multiple, bool requeue, CancellationToken cancellationToken)
        {
            Record($"nack {deliveryTag}");
            return Task.CompletedTask;
        }

        public Task BasicCancel(string consumerTag, CancellationToken cancellationToken)
        {
            Record($"cancel {consumerTag}");
            return Task.CompletedTask;
        }

        public IChannel Channel => throw new NotSupportedException();
        public ConnectionContext ConnectionContext => throw new NotSupportedException();

        public Task BasicPublishAsync(string exchange, string routingKey, bool mandatory, BasicProperties basicProperties, byte[] body, bool awaitAck,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExchangeBind(string destination, string source, string routingKey, IDictionary<string, object> arguments,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExchangeDeclare(string exchange, string type, bool durable, bool autoDelete, IDictionary<string, object> arguments,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ExchangeDeclarePassive(string exchange, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task QueueBind(string queue, string exchange, string routingKey, IDictionary<string, object> arguments,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<QueueDeclareOk> QueueDeclare(string queue, bool durable, bool exclusive, bool autoDelete, IDictionary<string, object> arguments,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<QueueDeclareOk> QueueDeclarePassive(string queue, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<uint> QueuePurge(string queue, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task BasicQos(uint prefetchSize, ushort prefetchCount, bool global, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<string> BasicConsume(string queue, bool noAck, bool exclusive, IDictionary<string, object> arguments, IAsyncBasicConsumer consumer,
            string consumerTag, CancellationToken cancellationToken) => throw new NotSupportedException();

        public void NotifyFaulted(Exception exception, Uri inputAddress) => throw new NotSupportedException();
    }
}

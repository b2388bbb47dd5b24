using MassTransit;
using MassTransit.Middleware;
using MassTransit.RabbitMqTransport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Chat.Gateway.Messaging;

/// <summary>
/// A consuming channel whose single acknowledgements (MassTransit sends one <c>basic.ack</c> per message) reach the
/// broker as one <c>basic.ack multiple</c> per run of consecutive delivery tags: at most <c>maxDeferred</c> messages
/// or <c>maxDelay</c> late: fewer frames for the broker and the gateway to handle (docs/performance.md).
/// </summary>
/// <remarks>
/// Correct for a channel whose deliveries settle in delivery-tag order, as on an endpoint with one message at a time
/// (its channel dispatches deliveries one after another). An acknowledgement out of that order is sent on its own, so
/// a multiple acknowledgement never covers a message still being handled. An acknowledgement that never reaches the
/// broker (the channel closed first) only means a redelivery, which the consumer recognises.
/// </remarks>
public sealed partial class AckCoalescingChannelContext : ProxyPipeContext, ChannelContext, IAsyncDisposable
{
    readonly ChannelContext _context;
    readonly ulong _maxDeferred;
    readonly TimeSpan _maxDelay;
    readonly ILogger _logger;
    readonly ITimer _timer;
    readonly Lock _lock = new();
    readonly SemaphoreSlim _sending = new(1, 1); // multiple acknowledgements must reach the broker in ascending order

    ulong _settled; // every delivery tag up to here is settled: acknowledged here, or rejected
    ulong _sent; // acknowledged to the broker up to here
    bool _timerArmed;

    public AckCoalescingChannelContext(ChannelContext context, int maxDeferred, TimeSpan maxDelay, TimeProvider time, ILogger logger)
        : base(context)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDeferred, 1);
        _context = context;
        _maxDeferred = (ulong)maxDeferred;
        _maxDelay = maxDelay;
        _logger = logger;
        _timer = time.CreateTimer(static state => _ = ((AckCoalescingChannelContext)state!).FlushAsync(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Acknowledgements taken but not yet sent to the broker.</summary>
    public ulong Deferred
    {
        get
        {
            lock (_lock)
            {
                return _settled - _sent;
            }
        }
    }

    public ValueTask BasicAck(ulong deliveryTag, bool multiple, CancellationToken cancellationToken)
    {
        bool inOrder, due = false;
        lock (_lock)
        {
            inOrder = !multiple && deliveryTag == _settled + 1;
            if (inOrder)
            {
                _settled = deliveryTag;
                due = _settled - _sent >= _maxDeferred;
                if (!due && !_timerArmed)
                {
                    _timerArmed = true;
                    _timer.Change(_maxDelay, Timeout.InfiniteTimeSpan);
                }
            }
        }

        if (inOrder)
        {
            return due ? new ValueTask(FlushAsync()) : ValueTask.CompletedTask;
        }

        return new ValueTask(SendOutOfOrderAsync(deliveryTag, multiple, cancellationToken));
    }

    async Task SendOutOfOrderAsync(ulong deliveryTag, bool multiple, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false);
        await _context.BasicAck(deliveryTag, multiple, cancellationToken).ConfigureAwait(false);
        if (multiple)
        {
            lock (_lock)
            {
                _settled = _sent = Math.Max(_settled, deliveryTag);
            }
        }
    }

    public async Task BasicNack(ulong deliveryTag, bool multiple, bool requeue, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false); // what is settled before it goes first, and a later multiple cannot cover it
        await _context.BasicNack(deliveryTag, multiple, requeue, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!multiple && deliveryTag == _settled + 1)
            {
                _settled = _sent = deliveryTag;
            }
        }
    }

    public async Task BasicCancel(string consumerTag, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false);
        await _context.BasicCancel(consumerTag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends what is settled and not yet acknowledged as one multiple acknowledgement.</summary>
    public async Task FlushAsync()
    {
        await _sending.WaitAsync().ConfigureAwait(false);
        try
        {
            ulong upTo;
            lock (_lock)
            {
                _timerArmed = false;
                upTo = _settled;
                if (upTo == _sent)
                {
                    return;
                }

                _sent = upTo;
            }

            await _context.BasicAck(upTo, multiple: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // A closed channel's unacknowledged deliveries go back to the queue; the consumer recognises the redeliveries.
            var closed = exception is AlreadyClosedException or OperationInterruptedException;
            Log.NotAcknowledged(_logger, closed ? LogLevel.Debug : LogLevel.Warning, exception.GetBaseException().Message);
        }
        finally
        {
            _sending.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
    }

    public IChannel Channel => _context.Channel;

    public ConnectionContext ConnectionContext => _context.ConnectionContext;

    public Task BasicPublishAsync(string exchange, string routingKey, bool mandatory, BasicProperties basicProperties, byte[] body, bool awaitAck,
        CancellationToken cancellationToken) =>
        _context.BasicPublishAsync(exchange, routingKey, mandatory, basicProperties, body, awaitAck, cancellationToken);

    public Task ExchangeBind(string destination, string source, string routingKey, IDictionary<string, object> arguments,
        CancellationToken cancellationToken) =>
        _context.ExchangeBind(destination, source, routingKey, arguments, cancellationToken);

    public Task ExchangeDeclare(string exchange, string type, bool durable, bool autoDelete, IDictionary<string, object> arguments,
        CancellationToken cancellationToken) =>
        _context.ExchangeDeclare(exchange, type, durable, autoDelete, arguments, cancellationToken);

    public Task ExchangeDeclarePassive(string exchange, CancellationToken cancellationToken) =>
        _context.ExchangeDeclarePassive(exchange, cancellationToken);

    public Task QueueBind(string queue, string exchange, string routingKey, IDictionary<string, object> arguments, CancellationToken cancellationToken) =>
        _context.QueueBind(queue, exchange, routingKey, arguments, cancellationToken);

    public Task<QueueDeclareOk> QueueDeclare(string queue, bool durable, bool exclusive, bool autoDelete, IDictionary<string, object> arguments,
        CancellationToken cancellationToken) =>
        _context.QueueDeclare(queue, durable, exclusive, autoDelete, arguments, cancellationToken);

    public Task<QueueDeclareOk> QueueDeclarePassive(string queue, CancellationToken cancellationToken) =>
        _context.QueueDeclarePassive(queue, cancellationToken);

    public Task<uint> QueuePurge(string queue, CancellationToken cancellationToken) => _context.QueuePurge(queue, cancellationToken);

    public Task BasicQos(uint prefetchSize, ushort prefetchCount, bool global, CancellationToken cancellationToken) =>
        _context.BasicQos(prefetchSize, prefetchCount, global, cancellationToken);

    public Task<string> BasicConsume(string queue, bool noAck, bool exclusive, IDictionary<string, object> arguments, IAsyncBasicConsumer consumer,
        string consumerTag, CancellationToken cancellationToken) =>
        _context.BasicConsume(queue, noAck, exclusive, arguments, consumer, consumerTag, cancellationToken);

    public void NotifyFaulted(Exception exception, Uri inputAddress) => _context.NotifyFaulted(exception, inputAddress);

    static partial class Log
    {
        [LoggerMessage(EventId = 1, Message = "Acknowledgements not sent; the broker redelivers them when the channel closes: {Reason}")]
        public static partial void NotAcknowledged(ILogger logger, LogLevel level, string reason);
    }
}

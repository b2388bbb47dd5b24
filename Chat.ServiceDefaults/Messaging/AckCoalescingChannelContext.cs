using MassTransit;
using MassTransit.Middleware;
using MassTransit.RabbitMqTransport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Microsoft.Extensions.Logging;

namespace Chat.ServiceDefaults.Messaging;

/// <summary>
/// A consuming channel whose single acknowledgements (MassTransit sends one <c>basic.ack</c> per message) reach the
/// broker as one <c>basic.ack multiple</c> per run of settled delivery tags: at most <c>maxDeferred</c> messages or
/// <c>maxDelay</c> late: fewer frames for the broker and the consumer to handle, and on a quorum queue one settle
/// command in its log instead of one per message (docs/performance.md).
/// </summary>
/// <remarks>
/// Deliveries may settle in any order: one settled ahead of a delivery still being handled waits for it, or goes alone
/// after <c>maxDelay</c>. A multiple acknowledgement names only a tag the broker still holds: it refuses one it no longer knows.
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
    ulong _lastAckable; // the highest settled tag not yet sent on its own: the tag of the next multiple acknowledgement
    ulong _sent; // every settled tag up to here has reached the broker
    readonly HashSet<ulong> _aheadUnsent = []; // settled behind a delivery still being handled, not yet sent
    readonly HashSet<ulong> _aheadSent = []; // settled behind it and already sent on their own (or rejected)
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
                return Unsent;
            }
        }
    }

    ulong Unsent => _settled - _sent + (ulong)_aheadUnsent.Count;

    public ValueTask BasicAck(ulong deliveryTag, bool multiple, CancellationToken cancellationToken)
    {
        if (multiple)
        {
            return new ValueTask(SendMultipleAsync(deliveryTag, cancellationToken));
        }

        bool due;
        lock (_lock)
        {
            Settle(deliveryTag, sent: false);
            due = _settled - _sent >= _maxDeferred;
            if (!due && !_timerArmed && Unsent > 0)
            {
                ArmTimer();
            }
        }

        return due ? new ValueTask(SendAsync(withAhead: false)) : ValueTask.CompletedTask;
    }

    /// <summary>Records <paramref name="tag"/> as settled; <paramref name="sent"/>: the broker already has its answer.</summary>
    void Settle(ulong tag, bool sent)
    {
        if (tag <= _settled)
        {
            return;
        }

        if (tag > _settled + 1)
        {
            (sent ? _aheadSent : _aheadUnsent).Add(tag);
            return;
        }

        _settled = tag;
        if (!sent)
        {
            _lastAckable = tag;
        }

        while (true)
        {
            if (_aheadUnsent.Remove(_settled + 1))
            {
                _lastAckable = ++_settled;
            }
            else if (_aheadSent.Remove(_settled + 1))
            {
                _settled++;
            }
            else
            {
                return;
            }
        }
    }

    void ArmTimer()
    {
        _timerArmed = true;
        _timer.Change(_maxDelay, Timeout.InfiniteTimeSpan);
    }

    async Task SendMultipleAsync(ulong deliveryTag, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false);
        await _context.BasicAck(deliveryTag, multiple: true, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _settled = _sent = _lastAckable = Math.Max(_settled, deliveryTag);
            _aheadUnsent.RemoveWhere(tag => tag <= _settled);
            _aheadSent.RemoveWhere(tag => tag <= _settled);
        }
    }

    public async Task BasicNack(ulong deliveryTag, bool multiple, bool requeue, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false); // what is settled before it goes first; no multiple covers it until it is settled
        await _context.BasicNack(deliveryTag, multiple, requeue, cancellationToken).ConfigureAwait(false);
        if (!multiple)
        {
            lock (_lock)
            {
                Settle(deliveryTag, sent: true);
            }
        }
    }

    public async Task BasicCancel(string consumerTag, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false);
        await _context.BasicCancel(consumerTag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends everything settled and not yet acknowledged: one multiple acknowledgement, and those settled ahead on their own.</summary>
    public Task FlushAsync() => SendAsync(withAhead: true);

    async Task SendAsync(bool withAhead)
    {
        await _sending.WaitAsync().ConfigureAwait(false);
        try
        {
            ulong multipleUpTo = 0;
            List<ulong>? single = null;
            lock (_lock)
            {
                _timerArmed = false;
                if (_lastAckable > _sent)
                {
                    multipleUpTo = _lastAckable;
                }

                _sent = _settled; // what lies between _lastAckable and _settled was sent on its own
                if (withAhead && _aheadUnsent.Count > 0)
                {
                    single = [.. _aheadUnsent.Order()];
                    _aheadSent.UnionWith(_aheadUnsent);
                    _aheadUnsent.Clear();
                }
                else if (_aheadUnsent.Count > 0)
                {
                    ArmTimer(); // those settled ahead go on their own once they have waited
                }
            }

            if (multipleUpTo > 0)
            {
                await _context.BasicAck(multipleUpTo, multiple: true, CancellationToken.None).ConfigureAwait(false);
            }

            foreach (var tag in single ?? [])
            {
                await _context.BasicAck(tag, multiple: false, CancellationToken.None).ConfigureAwait(false);
            }
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

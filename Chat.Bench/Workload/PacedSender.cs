namespace Chat.Bench.Workload;

/// <summary>
/// One client's sends in a paced round. The pacer hands each message over at its scheduled time: when the client is not
/// writing it is written at once, on the pacer's thread (a WebSocket write usually completes at once, and a hop to the
/// thread pool would add its queue to the schedule); otherwise it waits here, in order, with its scheduled time, and
/// the write that completes takes the next. A slow write so delays only this client's later messages, never the
/// schedule, and the delay shows in their latency.
/// </summary>
public sealed class PacedSender
{
    readonly Lock _gate = new();
    readonly Queue<BenchPayload> _queue = new();
    readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly IBenchClient _client;
    readonly string _room;
    readonly ScheduleLag _lag;
    readonly CancellationToken _cancellationToken;
    bool _writing;
    bool _completing;

    public PacedSender(IBenchClient client, string room, ScheduleLag lag, CancellationToken cancellationToken)
    {
        _client = client;
        _room = room;
        _lag = lag;
        _cancellationToken = cancellationToken;
        cancellationToken.Register(() => _done.TrySetResult());
    }

    /// <summary>Messages waiting for the client's current write to complete.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Why this client stopped sending before the end (its connection broke), if it did.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Writes the message now if the client is idle, else queues it; never waits (the pacer's thread calls it).</summary>
    public void Enqueue(BenchPayload payload)
    {
        lock (_gate)
        {
            if (Failure is not null)
            {
                return; // the connection broke: lost, and counted so
            }

            if (_writing)
            {
                _queue.Enqueue(payload);
                return;
            }

            _writing = true;
        }

        Write(payload);
    }

    /// <summary>No more messages: completes once every queued one was written, the client failed, or the round was cancelled.</summary>
    public Task CompleteAsync()
    {
        lock (_gate)
        {
            _completing = true;
            if (!_writing)
            {
                _done.TrySetResult();
            }
        }

        return _done.Task;
    }

    /// <summary>Writes <paramref name="payload"/> and then whatever queued meanwhile, for as long as writes complete at once.</summary>
    void Write(BenchPayload payload)
    {
        while (true)
        {
            _lag.Record(payload.SentTimestamp, TimeProvider.System.GetTimestamp());
            ValueTask write;
            try
            {
                write = _client.SendAsync(_room, payload, _cancellationToken);
            }
            catch (Exception ex) when (IsBroken(ex))
            {
                Fail(ex);
                return;
            }

            if (!write.IsCompleted)
            {
                _ = ContinueAfterAsync(write);
                return;
            }

            try
            {
                write.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (IsBroken(ex))
            {
                Fail(ex);
                return;
            }

            if (!TryTakeNext(out payload))
            {
                return;
            }
        }
    }

    async Task ContinueAfterAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        catch (Exception ex) when (IsBroken(ex))
        {
            Fail(ex);
            return;
        }

        if (TryTakeNext(out var next))
        {
            Write(next);
        }
    }

    /// <summary>The next queued message, or none: then the client is idle again (and done, once completing).</summary>
    bool TryTakeNext(out BenchPayload next)
    {
        lock (_gate)
        {
            if (!_cancellationToken.IsCancellationRequested && _queue.TryDequeue(out next))
            {
                return true;
            }

            next = default;
            _writing = false;
            if (_completing || _cancellationToken.IsCancellationRequested)
            {
                _done.TrySetResult();
            }

            return false;
        }
    }

    void Fail(Exception ex)
    {
        lock (_gate)
        {
            // A cancelled write is the round ending, not a failure; either way what was not written is lost, and counted so.
            if (!_cancellationToken.IsCancellationRequested)
            {
                Failure ??= ex;
            }

            _queue.Clear();
            _writing = false;
            _done.TrySetResult();
        }
    }

    static bool IsBroken(Exception ex) =>
        ex is System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException;
}

using System.Threading.Channels;

namespace Chat.Bench.Workload;

/// <summary>
/// One client's sends in a paced round. The pacer queues each message at its scheduled time and goes on at once; this
/// loop writes them in order, one at a time as the socket requires. A write that takes long delays only this client's
/// later writes, never the schedule, and they wait here with their scheduled times, so the delay shows in their latency.
/// </summary>
public sealed class PacedSender
{
    // Not SingleReader: that channel cannot count what it holds.
    readonly Channel<BenchPayload> _queue = Channel.CreateUnbounded<BenchPayload>();
    readonly IBenchClient _client;
    readonly string _room;
    readonly ScheduleLag _lag;
    readonly Task _sending;

    public PacedSender(IBenchClient client, string room, ScheduleLag lag, CancellationToken cancellationToken)
    {
        _client = client;
        _room = room;
        _lag = lag;
        _sending = SendLoopAsync(cancellationToken);
    }

    /// <summary>Messages queued and not yet being written.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Why this client stopped sending before the end (its connection broke), if it did.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Queues a message for writing; never blocks (the pacer's thread calls it).</summary>
    public void Enqueue(BenchPayload payload) => _queue.Writer.TryWrite(payload);

    /// <summary>No more messages: completes once every queued one was written, the client failed, or the round was cancelled.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _sending;
    }

    async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var payload))
                {
                    _lag.Record(payload.SentTimestamp, TimeProvider.System.GetTimestamp());
                    await _client.SendAsync(_room, payload, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the round is over
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            Failure = ex; // what was not written is lost, and counted so
        }
    }
}

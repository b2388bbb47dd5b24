using System.Net.WebSockets;
using System.Threading.Channels;
using Chat.Gateway.Diagnostics;

namespace Chat.Gateway.Connections;

/// <summary>
/// The frames waiting for one socket and the loop that writes them. It tells a slow reader (a write the socket has not
/// taken for the stall timeout, not counting time this process did not run) from a slow server (frames waiting while
/// the socket takes every write): only the first, or a queue at its hard limit, is the client's fault.
/// </summary>
public sealed class Outbox : IDisposable
{
    /// <summary>Below this many waiting frames the stall check is skipped: a reader that stalls soon has more waiting.</summary>
    const int StallCheckDepth = 64;

    readonly Channel<OutboundFrame> _frames;
    readonly WebSocket _socket;
    readonly WriteCoalescingStream? _writes;
    readonly GatewayTelemetry _telemetry;
    readonly TimeProvider _time;
    readonly ProcessStallWatch _stalls;
    readonly TimeSpan _stallTimeout;
    readonly CancellationTokenSource _discard = new();
    long _writeStarted; // timestamp of the write the socket has not taken yet; 0 when none

    public Outbox(WebSocket socket, WriteCoalescingStream? writes, int capacity, TimeSpan stallTimeout, ProcessStallWatch stalls,
        GatewayTelemetry telemetry, TimeProvider time)
    {
        _stalls = stalls;
        _socket = socket;
        _writes = writes;
        _stallTimeout = stallTimeout;
        _telemetry = telemetry;
        _time = time;
        _frames = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // never blocks: writers use TryWrite
        });
    }

    public int Count => _frames.Reader.Count;

    /// <summary>Queues a frame; says why not when the client is too slow or the outbox is completed.</summary>
    public OutboxResult TryAdd(OutboundFrame frame)
    {
        if (!_frames.Writer.TryWrite(frame))
        {
            return _frames.Reader.Completion.IsCompleted || _discard.IsCancellationRequested ? OutboxResult.Closed : OutboxResult.Full;
        }

        return Count >= StallCheckDepth && IsReaderStalled() ? OutboxResult.ReaderStalled : OutboxResult.Queued;
    }

    /// <summary>No more frames: the write loop ends once the queued ones are written.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    /// <summary>The write loop ends without writing what is queued (between two frames: cancelling a write aborts the socket).</summary>
    public void Discard()
    {
        Complete();
        _discard.Cancel();
    }

    /// <summary>Takes the next queued frame without writing it (unit tests of rooms run no write loop).</summary>
    internal bool TryTake(out OutboundFrame frame) => _frames.Reader.TryRead(out frame);

    bool IsReaderStalled()
    {
        var started = Volatile.Read(ref _writeStarted);
        return started != 0 && _stalls.RunningTimeSince(started) > _stallTimeout;
    }

    /// <summary>
    /// Writes frames until the outbox is completed (or discarded: then it returns early). A burst of queued frames goes
    /// out in one socket write: each frame but the last waits in the coalescing stream's buffer.
    /// </summary>
    public async Task WriteAllAsync(CancellationToken deadline)
    {
        var reader = _frames.Reader;
        var discard = _discard.Token;
        try
        {
            while (await reader.WaitToReadAsync(discard))
            {
                var writtenAt = _time.GetUtcNow(); // one clock read and one count per burst, not per frame
                var delivered = 0;
                while (!discard.IsCancellationRequested && reader.TryRead(out var frame))
                {
                    _writes?.HoldWrites = reader.TryPeek(out _);
                    Volatile.Write(ref _writeStarted, _time.GetTimestamp());
                    await _socket.SendAsync(frame.Utf8, WebSocketMessageType.Text, endOfMessage: true, deadline);
                    Volatile.Write(ref _writeStarted, 0);
                    if (frame.AcceptedAt is { } acceptedAt)
                    {
                        delivered++;
                        _telemetry.DeliveryLatency.Record(Math.Max(0, (writtenAt - acceptedAt).TotalSeconds));
                    }
                }

                if (delivered > 0)
                {
                    _telemetry.MessagesDelivered.Add(delivered);
                }
            }
        }
        catch (OperationCanceledException) when (discard.IsCancellationRequested && !deadline.IsCancellationRequested)
        {
            // Discarded: the close frame follows without what was queued.
        }

        _writes?.HoldWrites = false; // the close frame takes anything still held along
    }

    public void Dispose() => _discard.Dispose();
}

/// <summary>What became of a frame handed to an <see cref="Outbox"/>.</summary>
public enum OutboxResult
{
    Queued,

    /// <summary>The outbox is at its hard limit.</summary>
    Full,

    /// <summary>Queued, but the socket has not taken a write for the stall timeout: the client does not read.</summary>
    ReaderStalled,

    /// <summary>The connection is closing: nothing more is written.</summary>
    Closed,
}

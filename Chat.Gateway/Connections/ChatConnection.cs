using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Rooms;

namespace Chat.Gateway.Connections;

/// <summary>
/// One accepted WebSocket, in the manner of ASP.NET Core's <c>WebSocketsServerTransport</c>: a receive loop and a
/// send loop, a bounded outbox with a single reader so a slow client never blocks anyone, and a close handshake
/// bounded by a timeout after which the socket is aborted.
/// </summary>
public sealed partial class ChatConnection : IDisposable
{
    /// <summary>1013, "try again later": WebSocketCloseStatus has no name for it.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    readonly WebSocket _socket;

    /// <summary>The stream under <see cref="_socket"/> when it can hold writes; without it every frame is written on its own.</summary>
    readonly WriteCoalescingStream? _writes;

    readonly Channel<OutboundFrame> _outbox;
    readonly GatewayTelemetry _telemetry;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly TimeSpan _closeTimeout;
    readonly CancellationTokenSource _discardOutbox = new();
    readonly CancellationTokenSource _closeDeadline = new();
    readonly Lock _closeGate = new();
    string _closeDescription = "";

    /// <summary>
    /// Frames being handled plus publishes in flight (a pipelined <c>send</c> stays counted until it is answered).
    /// A close completes the outbox only when this is zero, so their answers are queued before the close frame.
    /// Guarded by <see cref="_closeGate"/>.
    /// </summary>
    int _inProgress;

    /// <summary>Completed when <see cref="_inProgress"/> falls to zero while someone waits for it. Guarded by <see cref="_closeGate"/>.</summary>
    TaskCompletionSource? _idle;

    public ChatConnection(WebSocket socket, string id, string user, ConnectionKind kind, int sendQueueCapacity,
        TimeSpan closeTimeout, GatewayTelemetry telemetry, TimeProvider time, ILogger logger, WriteCoalescingStream? writes = null)
    {
        _socket = socket;
        _writes = writes;
        Id = id;
        User = user;
        Kind = kind;
        _closeTimeout = closeTimeout;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _outbox = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // never blocks: writers use TryWrite and close the connection when full
        });
    }

    public string Id { get; }

    public string User { get; }

    public ConnectionKind Kind { get; }

    /// <summary>The rooms this connection joined. Touched only by the receive loop (one frame at a time).</summary>
    public Dictionary<string, RoomSubscription> Rooms { get; } = new(StringComparer.Ordinal);

    /// <summary>The status the server closed (or is closing) with, if it did.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>
    /// Queues a frame. When the outbox is full the client has fallen too far behind: it is closed with 1013
    /// (it reconnects and recovers with <c>since</c>) and the frame is dropped for it alone.
    /// </summary>
    public bool TrySend(OutboundFrame frame)
    {
        if (_outbox.Writer.TryWrite(frame))
        {
            return true;
        }

        CloseFellBehind();
        return false;
    }

    /// <summary>Closes with 1013 without writing what is queued: the client reconnects and recovers with <c>since</c>.</summary>
    public void CloseFellBehind()
    {
        if (CloseStatus is null)
        {
            _telemetry.ConnectionsClosedSlow.Add(1);
            Log.FellBehind(_logger, Id, _outbox.Reader.Count);
            Close(TryAgainLater, "client fell too far behind; reconnect with since", discardQueued: true);
        }
    }

    /// <summary>Takes the next queued frame without writing it (unit tests of rooms run no send loop).</summary>
    internal bool TryTakeQueued(out OutboundFrame frame) => _outbox.Reader.TryRead(out frame);

    /// <summary>
    /// Starts the server's side of the close: queued frames are written first (unless <paramref name="discardQueued"/>),
    /// the frame being handled and every publish in flight are finished (each gets its ack or error), then the
    /// close frame goes out.
    /// </summary>
    public void Close(WebSocketCloseStatus status, string description, bool discardQueued = false)
    {
        lock (_closeGate)
        {
            if (CloseStatus is not null)
            {
                return;
            }

            CloseStatus = status;
            _closeDescription = description;
            if (_inProgress == 0)
            {
                _outbox.Writer.TryComplete();
            }
        }

        try
        {
            if (discardQueued)
            {
                _discardOutbox.Cancel();
            }

            // However the close goes, it ends within the timeout: a write still blocked then (a client that stopped
            // reading) is cancelled, which aborts the socket.
            _closeDeadline.CancelAfter(_closeTimeout);
        }
        catch (ObjectDisposedException)
        {
            // Closed by shutdown just as the connection ended by itself.
        }
    }

    /// <summary>Runs the connection until both sides closed or the close timed out.</summary>
    public async Task RunAsync(IChatSession session, CancellationToken cancellationToken)
    {
        var sending = StartSendLoop();
        try
        {
            // welcome (or the lobby subscription) before the first client frame is handled.
            await session.OnOpenedAsync(cancellationToken);
            var receiving = ReceiveLoopAsync(session, cancellationToken);
            var first = await Task.WhenAny(receiving, sending);
            if (first == receiving)
            {
                // The client closed (or vanished): write what is queued, answer its close, give up after the timeout.
                Close(WebSocketCloseStatus.NormalClosure, "");
                await WaitOrAbortAsync(sending);
            }
            else
            {
                // The server closed: wait for the client's close frame, give up after the timeout.
                await WaitOrAbortAsync(receiving);
            }

            await Task.WhenAll(receiving, sending);
        }
        finally
        {
            // Normally nothing is left in flight here (the outbox completes only after the last answer); when the
            // send loop failed early, publishes may still be waiting for their confirm (at most the publish
            // timeout). The session is released only after they answered, so none of them touches it afterwards.
            await WhenIdleAsync();
            session.OnClosed();
        }
    }

    async Task WaitOrAbortAsync(Task task)
    {
        try
        {
            await task.WaitAsync(_closeTimeout, _time);
        }
        catch (TimeoutException)
        {
            Log.CloseTimedOut(_logger, Id);
            _socket.Abort();
        }
    }

    async Task ReceiveLoopAsync(IChatSession session, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                // Wait for data without holding a buffer, so an idle connection holds no memory.
                var peek = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (peek.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(ChatRules.MaxFrameBytes + 1);
                try
                {
                    // An empty message is consumed whole by the zero-byte read; anything else is read now.
                    var (type, length, closed) = peek.EndOfMessage ? (peek.MessageType, 0, false) : await ReadMessageAsync(buffer);
                    if (closed)
                    {
                        return;
                    }

                    if (length > ChatRules.MaxFrameBytes)
                    {
                        Log.FrameTooLarge(_logger, Id);
                        Close(WebSocketCloseStatus.MessageTooBig, "frame exceeds 16 KiB");
                        continue; // read on, discarding, until the client answers the close
                    }

                    if (!BeginFrame())
                    {
                        continue; // closing: frames that arrive now are not handled
                    }

                    try
                    {
                        if (type == WebSocketMessageType.Binary)
                        {
                            await session.OnBinaryFrameAsync(cancellationToken);
                        }
                        else
                        {
                            await session.OnTextFrameAsync(buffer.AsMemory(0, length), cancellationToken);
                        }
                    }
                    finally
                    {
                        EndFrame();
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away without a close handshake: normal for browsers and networks.
            Log.ClosedPrematurely(_logger, Id, ex.Message);
        }
    }

    /// <summary>Reads one whole message, or stops one byte past the size limit (the rest is never buffered).</summary>
    async Task<(WebSocketMessageType Type, int Length, bool Closed)> ReadMessageAsync(byte[] buffer)
    {
        var length = 0;
        while (true)
        {
            var slot = buffer.AsMemory(length, ChatRules.MaxFrameBytes + 1 - length);
            var result = await _socket.ReceiveAsync(slot, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, 0, true);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (result.MessageType, length, false);
            }

            if (length > ChatRules.MaxFrameBytes)
            {
                // Oversized: stop reading this message now; the close follows.
                return (result.MessageType, length, false);
            }
        }
    }

    /// <summary>Counts a frame the receive loop is about to handle; <see langword="false"/> once closing (not handled).</summary>
    bool BeginFrame()
    {
        lock (_closeGate)
        {
            if (CloseStatus is not null)
            {
                return false;
            }

            _inProgress++;
            return true;
        }
    }

    void EndFrame() => EndInFlight();

    /// <summary>
    /// Counts a publish that goes on after the frame that started it was handled; ended by <see cref="EndInFlight"/>
    /// once it is answered. Called only while that frame is being handled (the count is above zero), so a close
    /// cannot have completed the outbox yet, even if it already started.
    /// </summary>
    public void BeginInFlight()
    {
        lock (_closeGate)
        {
            _inProgress++;
        }
    }

    /// <summary>Ends what <see cref="BeginFrame"/> or <see cref="BeginInFlight"/> counted; the last one lets a close go on.</summary>
    public void EndInFlight()
    {
        lock (_closeGate)
        {
            if (--_inProgress > 0)
            {
                return;
            }

            if (CloseStatus is not null)
            {
                _outbox.Writer.TryComplete();
            }

            _idle?.TrySetResult();
            _idle = null;
        }
    }

    Task WhenIdleAsync()
    {
        lock (_closeGate)
        {
            if (_inProgress == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>
    /// Starts the send loop outside the upgrade request's activity, which lasts as long as the connection. Under it,
    /// every delivery's metrics were offered as exemplars (the trace-based exemplar filter, which Aspire sets for
    /// every project, takes any recorded current activity), each pointing at that one connection-long span: measured
    /// with perf, the metric updates then took a quarter of the send loop's CPU, most of it offering exemplars.
    /// </summary>
    Task StartSendLoop()
    {
        var request = Activity.Current;
        Activity.Current = null;
        try
        {
            return SendLoopAsync(); // captures the execution context, without the activity, at its first await
        }
        finally
        {
            Activity.Current = request;
        }
    }

    async Task SendLoopAsync()
    {
        var reader = _outbox.Reader;
        var discard = _discardOutbox.Token;
        try
        {
            // The discard token is only checked between frames: cancelling a WebSocket write aborts the socket, and a
            // 1013 close should still reach a client that is merely slow.
            while (await reader.WaitToReadAsync(discard))
            {
                // One clock read and one count per burst (its frames go out together), not per frame.
                var writtenAt = _time.GetUtcNow();
                var delivered = 0;
                while (!discard.IsCancellationRequested && reader.TryRead(out var frame))
                {
                    // With more frames queued behind it, this one waits in the stream's buffer and goes out with them:
                    // a burst is one write to the socket. The last frame of a burst is written without the hold.
                    _writes?.HoldWrites = reader.TryPeek(out _);
                    await _socket.SendAsync(frame.Utf8, WebSocketMessageType.Text, endOfMessage: true, _closeDeadline.Token);
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
        catch (OperationCanceledException) when (discard.IsCancellationRequested && !_closeDeadline.IsCancellationRequested)
        {
            // Closing without writing what is queued (the client fell behind).
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Log.ClosedPrematurely(_logger, Id, ex.Message);
            return;
        }

        _writes?.HoldWrites = false; // the close frame takes anything still held along
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(CloseStatus ?? WebSocketCloseStatus.NormalClosure, _closeDescription, _closeDeadline.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.ClosedPrematurely(_logger, Id, ex.Message);
            _socket.Abort();
        }
    }

    public void Dispose()
    {
        _discardOutbox.Dispose();
        _closeDeadline.Dispose();
        _socket.Dispose();
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} closed without a close handshake: {Reason}")]
        public static partial void ClosedPrematurely(ILogger logger, string connectionId, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Connection {ConnectionId} fell behind with {Queued} frames queued; closing with 1013")]
        public static partial void FellBehind(ILogger logger, string connectionId, int queued);

        [LoggerMessage(3, LogLevel.Information, "Connection {ConnectionId} sent a frame over 16 KiB; closing with 1009")]
        public static partial void FrameTooLarge(ILogger logger, string connectionId);

        [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} did not finish the close handshake in time; aborted")]
        public static partial void CloseTimedOut(ILogger logger, string connectionId);
    }
}

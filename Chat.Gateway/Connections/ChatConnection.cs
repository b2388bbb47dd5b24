using System.Diagnostics;
using System.Net.WebSockets;
using Chat.Gateway.Diagnostics;

namespace Chat.Gateway.Connections;

/// <summary>
/// One accepted WebSocket, in the manner of ASP.NET Core's <c>WebSocketsServerTransport</c>: a receive loop that hands
/// each frame to the session, a write loop over the <see cref="Outbox"/>, and a close handshake bounded by a timeout
/// after which the socket is aborted.
/// </summary>
public sealed partial class ChatConnection : IDisposable
{
    /// <summary>1013, "try again later": WebSocketCloseStatus has no name for it.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    readonly WebSocket _socket;
    readonly Outbox _outbox;
    readonly GatewayTelemetry _telemetry;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly TimeSpan _closeTimeout;
    readonly CancellationTokenSource _closeDeadline = new();
    readonly Lock _closeGate = new();
    IChatSession? _session;
    string _closeDescription = "";

    public ChatConnection(WebSocket socket, string id, string user, ConnectionKind kind, ConnectionLimits limits, ProcessStallWatch stalls,
        GatewayTelemetry telemetry, TimeProvider time, ILogger logger, WriteCoalescingStream? writes = null)
    {
        _socket = socket;
        Id = id;
        User = user;
        Kind = kind;
        _closeTimeout = limits.CloseTimeout;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _outbox = new Outbox(socket, writes, limits.SendQueueCapacity, limits.SlowClientTimeout, stalls, telemetry, time);
    }

    public string Id { get; }

    public string User { get; }

    /// <summary>In token mode, the access token the connection was opened with (history is asked on the user's behalf).</summary>
    public string? AccessToken { get; init; }

    public ConnectionKind Kind { get; }

    /// <summary>The status the server closed (or is closing) with, if it did.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Queues a frame. A client that does not read, or is a whole outbox behind, is closed with 1013 instead.</summary>
    public bool TrySend(OutboundFrame frame)
    {
        switch (_outbox.TryAdd(frame))
        {
            case OutboxResult.Queued:
                return true;
            case OutboxResult.ReaderStalled:
                CloseFellBehind("does not read");
                return true;
            case OutboxResult.Full:
                CloseFellBehind("a whole outbox behind");
                return false;
            default:
                return false;
        }
    }

    /// <summary>Closes with 1013 without writing what is queued: the client reconnects and recovers with <c>since</c>.</summary>
    public void CloseFellBehind(string reason = "fell behind")
    {
        if (CloseStatus is null)
        {
            _telemetry.ConnectionsClosedSlow.Add(1);
            Log.FellBehind(_logger, Id, reason, _outbox.Count);
            Close(TryAgainLater, "client fell too far behind; reconnect with since", discardQueued: true);
        }
    }

    /// <summary>Takes the next queued frame without writing it (unit tests of rooms run no write loop).</summary>
    internal bool TryTakeQueued(out OutboundFrame frame) => _outbox.TryTake(out frame);

    /// <summary>
    /// Starts the server's side of the close: the session first answers what it started (a frame being handled, the
    /// publishes in flight), queued frames are written (unless <paramref name="discardQueued"/>), then the close frame.
    /// </summary>
    public void Close(WebSocketCloseStatus status, string description, bool discardQueued = false)
    {
        IChatSession? session;
        lock (_closeGate)
        {
            if (CloseStatus is not null)
            {
                return;
            }

            CloseStatus = status;
            _closeDescription = description;
            session = _session;
        }

        if (discardQueued)
        {
            _outbox.Discard();
        }

        _ = CompleteOutboxAfterAsync(session?.DrainAsync() ?? Task.CompletedTask);
        try
        {
            // However the close goes, it ends within the timeout: a write still blocked then is cancelled, which aborts the socket.
            _closeDeadline.CancelAfter(_closeTimeout);
        }
        catch (ObjectDisposedException)
        {
            // Closed by shutdown just as the connection ended by itself.
        }
    }

    async Task CompleteOutboxAfterAsync(Task drained)
    {
        await drained;
        _outbox.Complete();
    }

    /// <summary>Runs the connection until both sides closed or the close timed out.</summary>
    public async Task RunAsync(IChatSession session, CancellationToken cancellationToken)
    {
        lock (_closeGate)
        {
            _session = session;
        }

        var sending = StartSendLoop();
        try
        {
            await session.OnOpenedAsync(cancellationToken); // welcome (or the lobby) before the first client frame
            var receiving = ReceiveLoopAsync(session, cancellationToken);
            if (await Task.WhenAny(receiving, sending) == receiving)
            {
                // The client closed (or vanished): write what is queued, answer its close, give up after the timeout.
                Close(WebSocketCloseStatus.NormalClosure, "");
                await WaitOrAbortAsync(sending);
            }
            else
            {
                await WaitOrAbortAsync(receiving); // the server closed: wait for the client's close frame
            }

            await Task.WhenAll(receiving, sending);
        }
        finally
        {
            // Publishes still in flight (when the write loop failed early) answer into the void first, then rooms are left.
            await session.DrainAsync();
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
        var reader = new FrameReader(_socket);
        try
        {
            while (true)
            {
                using var frame = await reader.ReadAsync();
                if (frame.IsClose)
                {
                    return;
                }

                if (frame.IsTooLarge)
                {
                    Log.FrameTooLarge(_logger, Id);
                    Close(WebSocketCloseStatus.MessageTooBig, "frame exceeds 16 KiB");
                    continue; // read on, discarding, until the client answers the close
                }

                await (frame.IsBinary ? session.OnBinaryFrameAsync(cancellationToken) : session.OnTextFrameAsync(frame.Utf8, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            Log.ClosedPrematurely(_logger, Id, ex.Message); // normal for browsers and networks
        }
    }

    /// <summary>
    /// Starts the send loop outside the upgrade request's activity, which lasts as long as the connection: under it every
    /// delivery's metrics would be offered as exemplars of that one span (Aspire's trace-based exemplar filter).
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
        try
        {
            await _outbox.WriteAllAsync(_closeDeadline.Token);
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
        _outbox.Dispose();
        _closeDeadline.Dispose();
        _socket.Dispose();
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} closed without a close handshake: {Reason}")]
        public static partial void ClosedPrematurely(ILogger logger, string connectionId, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Connection {ConnectionId} fell behind ({Reason}) with {Queued} frames queued; closing with 1013")]
        public static partial void FellBehind(ILogger logger, string connectionId, string reason, int queued);

        [LoggerMessage(3, LogLevel.Information, "Connection {ConnectionId} sent a frame over 16 KiB; closing with 1009")]
        public static partial void FrameTooLarge(ILogger logger, string connectionId);

        [LoggerMessage(4, LogLevel.Debug, "Connection {ConnectionId} did not finish the close handshake in time; aborted")]
        public static partial void CloseTimedOut(ILogger logger, string connectionId);
    }
}

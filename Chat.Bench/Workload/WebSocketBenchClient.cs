using System.Buffers;
using System.Net.WebSockets;

namespace Chat.Bench.Workload;

/// <summary>
/// A <see cref="ClientWebSocket"/> with one receive loop that hands every whole text frame to <see cref="OnFrame"/>.
/// Sends come from one caller at a time (join, then the sender loop, then close), as <see cref="ClientWebSocket"/> requires.
/// </summary>
public abstract class WebSocketBenchClient : IBenchClient
{
    /// <summary>How long a connection may take to open and greet, and a join to be answered.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    readonly ClientWebSocket _socket = new();
    readonly CancellationTokenSource _stop = new();
    Task _receiving = Task.CompletedTask;
    volatile bool _closing;

    protected WebSocketBenchClient(IBenchClientHandler handler)
    {
        Handler = handler;
        // The bench's frames are small; keep-alive pings would only add noise to the measurement.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    protected IBenchClientHandler Handler { get; }

    public string Node { get; protected set; } = "";

    protected async Task OpenAsync(Uri uri, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(uri, cancellationToken);
        _receiving = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    public abstract Task JoinAsync(string room, CancellationToken cancellationToken);

    public abstract ValueTask SendAsync(string room, BenchPayload payload, CancellationToken cancellationToken);

    /// <summary>One whole text frame from the server. Runs on the receive loop, one frame at a time.</summary>
    protected abstract void OnFrame(ReadOnlySpan<byte> frame);

    /// <summary>The receive loop ended (the socket closed or broke): fail whatever waits for an answer.</summary>
    protected abstract void OnReceiveEnded(Exception reason);

    protected ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        _closing = true;
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench round over", cancellationToken);
        }

        await _receiving.WaitAsync(cancellationToken);
    }

    async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        Exception reason = new WebSocketException("the server closed the connection");
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (!_closing)
                    {
                        Handler.OnClosed($"{(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}".Trim());
                    }

                    reason = new WebSocketException($"closed by the server: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
                    return;
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    OnFrame(buffer.AsSpan(0, length));
                    length = 0;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (!_closing)
            {
                Handler.OnClosed($"broken: {ex.Message}");
            }

            reason = ex;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            OnReceiveEnded(reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        if (_socket.State != WebSocketState.Closed)
        {
            _socket.Abort();
        }

        await _stop.CancelAsync();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}

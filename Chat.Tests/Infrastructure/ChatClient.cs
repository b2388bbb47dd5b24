using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A test client of the gateway, written against PROTOCOL.md alone. A receive loop queues every text frame; every
/// wait has a timeout. For <c>/ws</c> it reads <c>welcome</c> on connect; for <c>/websocket</c> frames are plain lines.
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    readonly ClientWebSocket _socket;
    readonly Channel<string> _frames = Channel.CreateUnbounded<string>();
    readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Task _receiving;
    int _refs;

    ChatClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveLoopAsync();
    }

    public string User { get; private set; } = "";

    public string Node { get; private set; } = "";

    public string ConnectionId { get; private set; } = "";

    /// <summary>Every text frame received so far, in order.</summary>
    public List<string> Received { get; } = [];

    /// <summary>Completes with the close status when the server closes (null when the connection just dropped).</summary>
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public WebSocketState State => _socket.State;

    /// <summary>Connects to <c>/ws</c> and reads <c>welcome</c>.</summary>
    public static async Task<ChatClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var client = await ConnectRawAsync(uri, configure);
        var welcome = await client.ReceiveJsonAsync();
        Assert.Equal("welcome", (string?)welcome["type"]);
        client.User = (string)welcome["user"]!;
        client.Node = (string)welcome["node"]!;
        client.ConnectionId = (string)welcome["connectionId"]!;
        return client;
    }

    /// <summary>Connects without reading anything (the plain-text endpoint, or to read welcome yourself).</summary>
    public static async Task<ChatClient> ConnectRawAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        await socket.ConnectAsync(uri, TestContext.Current.CancellationToken).WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);
        return new ChatClient(socket);
    }

    public Task SendJsonAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame, JsonDefaults.Options));

    public async Task SendTextAsync(string text) =>
        await SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type) =>
        await _socket.SendAsync(bytes, type, endOfMessage: true, TestContext.Current.CancellationToken)
            .WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);

    /// <summary>The next text frame.</summary>
    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        var frame = await _frames.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask()
            .WaitAsync(timeout ?? TestTimeouts.Network, TestContext.Current.CancellationToken);
        return frame;
    }

    public async Task<JsonObject> ReceiveJsonAsync(TimeSpan? timeout = null) =>
        JsonNode.Parse(await ReceiveAsync(timeout))!.AsObject();

    /// <summary>Reads frames until one matches; the ones before it are skipped (they stay in <see cref="Received"/>).</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TestTimeouts.Network);
        while (true)
        {
            string text;
            try
            {
                text = await _frames.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No matching frame within {(timeout ?? TestTimeouts.Network).TotalSeconds} s; received: {string.Join(" | ", Received.TakeLast(10))}");
            }

            var frame = JsonNode.Parse(text)!.AsObject();
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>Reads plain-text lines until one matches.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TestTimeouts.Network);
        while (true)
        {
            string line;
            try
            {
                line = await _frames.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No matching line; received: {string.Join(" | ", Received.TakeLast(10))}");
            }

            if (match(line))
            {
                return line;
            }
        }
    }

    /// <summary>Joins and returns the <c>joined</c> frame.</summary>
    public async Task<JsonObject> JoinAsync(string room, string? since = null)
    {
        await SendJsonAsync(since is null ? new { type = "join", room } : new { type = "join", room, since });
        return await WaitForAsync(f => (string?)f["type"] == "joined" && (string?)f["room"] == room);
    }

    /// <summary>Sends a message and returns its answer: <c>ack</c> or <c>error</c> with the same ref.</summary>
    public async Task<JsonObject> SendMessageAsync(string room, string text)
    {
        var reference = $"r{Interlocked.Increment(ref _refs)}";
        await SendJsonAsync(new { type = "send", room, text, @ref = reference });
        return await WaitForAsync(f => (string?)f["ref"] == reference && (string?)f["type"] is "ack" or "error");
    }

    /// <summary>Sends a message that must be acknowledged; returns its id.</summary>
    public async Task<Guid> SendAcknowledgedAsync(string room, string text)
    {
        var answer = await SendMessageAsync(room, text);
        Assert.True((string?)answer["type"] == "ack", $"expected ack, got {answer.ToJsonString()}");
        return Guid.Parse((string)answer["id"]!);
    }

    async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closed.TrySetResult(_socket.CloseStatus);
                        _frames.Writer.TryComplete();
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                        }

                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var text = Encoding.UTF8.GetString(message.ToArray());
                lock (Received)
                {
                    Received.Add(text);
                }

                _frames.Writer.TryWrite(text);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult(null);
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                // Close our side; the receive loop reads the server's answer.
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
                await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Abort();
        await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }
}

using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A test client of the gateway, written against PROTOCOL.md alone. A receive loop queues every text frame; every
/// wait has a timeout. For <c>/ws</c> it reads <c>welcome</c> on connect; for <c>/websocket</c> frames are plain lines.
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    readonly ClientWebSocket _socket;
    readonly List<string> _backlog = [];
    TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    bool _ended;
    readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Task _receiving;
    TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _refs;

    ChatClient(ClientWebSocket socket)
    {
        _socket = socket;
        _reading.SetResult();
        _receiving = ReceiveLoopAsync();
    }

    public string User { get; private set; } = "";

    public string Node { get; private set; } = "";

    public string ConnectionId { get; private set; } = "";

    /// <summary>Every text frame received so far, in order; appended by the reader under the backlog's lock.</summary>
    readonly List<string> _received = [];

    /// <summary>Every text frame received so far, in order: a copy, safe to take while frames still arrive.</summary>
    public string[] ReceivedSoFar()
    {
        lock (_backlog)
        {
            return [.. _received];
        }
    }

    /// <summary>The ids of the <c>message</c> frames received so far, in order, a duplicate as often as it came.</summary>
    public List<Guid> ReceivedMessageIds() =>
        [.. ReceivedSoFar().Select(f => JsonNode.Parse(f)).OfType<JsonObject>().Where(f => (string?)f["type"] == "message").Select(f => Guid.Parse((string)f["id"]!))];

    /// <summary>Waits until every one of <paramref name="ids"/> has arrived, and asserts that no message arrived twice.</summary>
    public async Task AssertReceivedOnceAsync(IReadOnlySet<Guid> ids, TimeSpan timeout)
    {
        var received = await Eventually.UntilAsync(_ => Task.FromResult(ReceivedMessageIds()), ids.IsSubsetOf, timeout, $"every acknowledged message at {User}");
        var twice = received.Select((id, index) => (id, index)).GroupBy(r => r.id).Where(g => g.Count() > 1).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} messages arrived more than once at {User} (of {received.Count}, {ids.Count} acknowledged): " +
            string.Join("; ", twice.Select(g => $"{g.Key} at {string.Join(" and ", g.Select(r => r.index))}")) + "; frames naming them: " +
            string.Join(" | ", ReceivedSoFar().Where(f => twice.Any(g => f.Contains(g.Key.ToString(), StringComparison.Ordinal)))));
    }

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

    /// <summary>
    /// Connects without reading anything (the plain-text endpoint, or to read welcome yourself). A small
    /// <paramref name="receiveBufferSize"/> makes the TCP socket hold little, for clients that stop reading.
    /// </summary>
    public static async Task<ChatClient> ConnectRawAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, int? receiveBufferSize = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        if (receiveBufferSize is { } size)
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, token) =>
                {
                    var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = size };
                    await tcp.ConnectAsync(context.DnsEndPoint, token);
                    return new System.Net.Sockets.NetworkStream(tcp, ownsSocket: true);
                },
            };
            await socket.ConnectAsync(uri, new HttpMessageInvoker(handler, disposeHandler: false), ct).WaitAsync(TestTimeouts.Network, ct);
        }
        else
        {
            await socket.ConnectAsync(uri, ct).WaitAsync(TestTimeouts.Network, ct);
        }

        return new ChatClient(socket);
    }

    /// <summary>Stops reading from the socket after the frame being read now (a client that fell asleep).</summary>
    public void PauseReading() => Interlocked.Exchange(ref _reading, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Reads again.</summary>
    public void ResumeReading() => _reading.TrySetResult();

    public Task SendJsonAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame, JsonDefaults.Options));

    public async Task SendTextAsync(string text) =>
        await SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type) =>
        await _socket.SendAsync(bytes, type, endOfMessage: true, TestContext.Current.CancellationToken)
            .WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);

    /// <summary>The next text frame not yet taken by a wait.</summary>
    public Task<string> ReceiveAsync(TimeSpan? timeout = null) => TakeAsync(_ => true, timeout);

    public async Task<JsonObject> ReceiveJsonAsync(TimeSpan? timeout = null) =>
        JsonNode.Parse(await ReceiveAsync(timeout))!.AsObject();

    /// <summary>
    /// The first frame, received or still to come, that matches; it is taken, the frames before it stay for later
    /// waits (an <c>ack</c> and the <c>message</c> it acknowledges may come in either order).
    /// </summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null) =>
        JsonNode.Parse(await TakeAsync(text => text.StartsWith('{') && match(JsonNode.Parse(text)!.AsObject()), timeout))!.AsObject();

    /// <summary>The first plain-text line that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null) => TakeAsync(match, timeout);

    async Task<string> TakeAsync(Func<string, bool> match, TimeSpan? timeout)
    {
        var limit = timeout ?? TestTimeouts.Network;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(limit);
        var scanned = 0;
        while (true)
        {
            Task arrived;
            lock (_backlog)
            {
                for (; scanned < _backlog.Count; scanned++)
                {
                    if (match(_backlog[scanned]))
                    {
                        var found = _backlog[scanned];
                        _backlog.RemoveAt(scanned);
                        return found;
                    }
                }

                if (_ended)
                {
                    throw new WebSocketException($"The connection closed ({_closed.Task.Result}) before a matching frame; received: {string.Join(" | ", ReceivedSoFar().TakeLast(10))}");
                }

                arrived = _arrived.Task;
            }

            try
            {
                await arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No matching frame within {limit.TotalSeconds} s; received: {string.Join(" | ", ReceivedSoFar().TakeLast(10))}");
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
                await _reading.Task;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closed.TrySetResult(_socket.CloseStatus);
                        End();
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
                lock (_backlog)
                {
                    _received.Add(text);
                    _backlog.Add(text);
                    Pulse();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult(null);
            End();
        }
    }

    void End()
    {
        lock (_backlog)
        {
            _ended = true;
            Pulse();
        }
    }

    void Pulse()
    {
        var arrived = _arrived;
        _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        arrived.TrySetResult();
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

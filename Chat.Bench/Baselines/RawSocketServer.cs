using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Chat.Bench.Workload;

namespace Chat.Bench.Baselines;

/// <summary>
/// The raw socket limit: <see cref="RawSocketBroadcast"/> in a process of its own (<see cref="BaselineProcess"/>),
/// as each gateway is.
/// </summary>
public sealed class RawSocketServer : IBenchTarget, IAsyncDisposable
{
    /// <summary>The <c>--serve</c> kind.</summary>
    public const string Kind = "socket";

    readonly BaselineProcess _server;

    RawSocketServer(BaselineProcess server) => _server = server;

    public const string TargetName = "raw socket";

    public string Name => TargetName;

    public string Description => "raw socket: one Kestrel WebSocket server (its own process, server GC) that copies each frame once to every member of the room; no broker, no storage";

    /// <summary>The server's process, for CPU accounting.</summary>
    public int Pid => _server.Pid;

    public static async Task<RawSocketServer> StartAsync(ILogger logger, CancellationToken cancellationToken) =>
        new(await BaselineProcess.StartAsync("Chat.Bench.RawSocket", Kind, [], logger, cancellationToken));

    public async Task<IBenchClient> ConnectAsync(int index, IBenchClientHandler handler, CancellationToken cancellationToken) =>
        await RawSocketClient.ConnectAsync(new UriBuilder(_server.Address) { Scheme = "ws", Path = "/ws" }.Uri, handler, cancellationToken);

    public Task<long?> CountStoredAsync(string room, long expected, TimeSpan settle, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>
/// The raw socket server: a minimal Kestrel WebSocket broadcast with no broker, no persistence and no JSON. A text
/// frame <c>#room</c> joins a room (answered <c>#joined</c>); any other frame is copied once and queued, the same bytes,
/// for every member of the sender's room (the sender included), then answered <c>+</c>. One bounded outbox and one send
/// loop per socket, as in the gateway; otherwise nothing.
/// </summary>
public sealed class RawSocketBroadcast
{
    const int OutboxCapacity = 100_000;
    static readonly byte[] Joined = "#joined"u8.ToArray();
    static readonly byte[] Ack = "+"u8.ToArray();

    readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    public void Map(WebApplication app)
    {
        app.UseWebSockets();
        app.Map("/ws", AcceptAsync);
    }

    async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(socket);
        var sending = connection.SendLoopAsync();
        Room? room = null;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length < buffer.Length && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (length > 0 && buffer[0] == (byte)'#')
                {
                    room?.Remove(connection);
                    room = _rooms.GetOrAdd(Encoding.UTF8.GetString(buffer, 1, length - 1), static _ => new Room());
                    room.Add(connection);
                    connection.Queue(Joined);
                    continue;
                }

                if (room is null)
                {
                    continue;
                }

                var frame = buffer.AsSpan(0, length).ToArray(); // copied once, shared by every recipient
                foreach (var member in room.Members)
                {
                    member.Queue(frame);
                }

                connection.Queue(Ack);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // the client went away
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            room?.Remove(connection);
            connection.Complete();
            await sending;
        }
    }

    sealed class Room
    {
        readonly Lock _gate = new();

        public volatile Connection[] Members = [];

        public void Add(Connection connection)
        {
            lock (_gate)
            {
                Members = [.. Members, connection];
            }
        }

        public void Remove(Connection connection)
        {
            lock (_gate)
            {
                Members = Members.Where(m => m != connection).ToArray();
            }
        }
    }

    sealed class Connection(WebSocket socket)
    {
        readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(OutboxCapacity) { SingleReader = true });

        public void Queue(byte[] frame)
        {
            if (!_outbox.Writer.TryWrite(frame))
            {
                socket.Abort(); // fell too far behind
            }
        }

        public void Complete() => _outbox.Writer.TryComplete();

        public async Task SendLoopAsync()
        {
            try
            {
                await foreach (var frame in _outbox.Reader.ReadAllAsync())
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }

                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // the client went away
            }
        }
    }
}

/// <summary>The client of <see cref="RawSocketServer"/>: <c>#room</c> to join, the bare payload to send.</summary>
public sealed class RawSocketClient : WebSocketBenchClient
{
    readonly byte[] _sendBuffer = new byte[BenchPayload.MaxLength];
    TaskCompletionSource? _joined;

    RawSocketClient(IBenchClientHandler handler) : base(handler) => Node = "raw";

    public static async Task<RawSocketClient> ConnectAsync(Uri uri, IBenchClientHandler handler, CancellationToken cancellationToken)
    {
        var client = new RawSocketClient(handler);
        try
        {
            await client.OpenAsync(uri, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public override async Task JoinAsync(string room, CancellationToken cancellationToken)
    {
        _joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendFrameAsync(Encoding.UTF8.GetBytes("#" + room), cancellationToken);
        await _joined.Task.WaitAsync(HandshakeTimeout, cancellationToken);
    }

    public override ValueTask SendAsync(string room, BenchPayload payload, CancellationToken cancellationToken) =>
        SendFrameAsync(_sendBuffer.AsMemory(0, payload.Format(_sendBuffer)), cancellationToken);

    protected override void OnFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.SequenceEqual("+"u8))
        {
            Handler.OnAccepted();
        }
        else if (frame.SequenceEqual("#joined"u8))
        {
            _joined?.TrySetResult();
        }
        else
        {
            Handler.OnMessage(BenchPayload.TryParse(frame, out var payload) ? payload : null);
        }
    }

    protected override void OnReceiveEnded(Exception reason) => _joined?.TrySetException(reason);
}

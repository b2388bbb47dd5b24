using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Chat.Gateway.Connections;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Unit;

public sealed class WriteCoalescingStreamTests
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Held_writes_go_out_in_one_write_with_the_first_write_after_the_hold()
    {
        var inner = new RecordingStream();
        var stream = new WriteCoalescingStream(inner) { HoldWrites = true };

        await stream.WriteAsync("one,"u8.ToArray(), Token);
        await stream.WriteAsync("two,"u8.ToArray(), Token);
        Assert.Empty(inner.Writes);
        Assert.Equal(8, stream.HeldBytes);

        stream.HoldWrites = false;
        await stream.WriteAsync("three"u8.ToArray(), Token);

        Assert.Equal(["one,two,three"], inner.Writes);
        Assert.Equal(0, stream.HeldBytes);
    }

    [Fact]
    public async Task A_flush_while_held_writes_nothing_and_one_after_the_hold_writes_what_is_held()
    {
        var inner = new RecordingStream();
        var stream = new WriteCoalescingStream(inner) { HoldWrites = true };

        await stream.WriteAsync("frame"u8.ToArray(), Token);
        await stream.FlushAsync(Token); // the WebSocket flushes after every frame
        Assert.Empty(inner.Writes);
        Assert.Equal(0, inner.Flushes);

        stream.HoldWrites = false;
        await stream.FlushAsync(Token);

        Assert.Equal(["frame"], inner.Writes);
        Assert.Equal(1, inner.Flushes);
    }

    [Fact]
    public async Task Writes_without_the_hold_pass_through_one_by_one()
    {
        var inner = new RecordingStream();
        var stream = new WriteCoalescingStream(inner);

        await stream.WriteAsync("a"u8.ToArray(), Token);
        await stream.WriteAsync("b"u8.ToArray(), Token);

        Assert.Equal(["a", "b"], inner.Writes);
    }

    [Fact]
    public async Task A_long_burst_is_held_at_most_up_to_the_cap_and_arrives_whole_and_in_order()
    {
        var inner = new RecordingStream();
        var stream = new WriteCoalescingStream(inner) { HoldWrites = true };
        var expected = new StringBuilder();

        for (var i = 0; i < 1_000; i++)
        {
            var frame = $"frame {i:D4} " + new string('x', 200) + "|";
            expected.Append(frame);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(frame), Token);
            Assert.InRange(stream.HeldBytes, 0, WriteCoalescingStream.MaxHeldBytes);
        }

        stream.HoldWrites = false;
        await stream.FlushAsync(Token);

        Assert.Equal(expected.ToString(), string.Concat(inner.Writes));
        Assert.InRange(inner.Writes.Count, 3, 10); // ~210 KB in pieces of up to 64 KiB, not 1,000 writes
    }

    [Fact]
    public async Task Frames_sent_through_a_WebSocket_under_the_hold_reach_the_client_as_separate_messages_in_order()
    {
        await using var pair = await SocketPair.OpenAsync();
        var counting = new RecordingStream(pair.Server);
        var writes = new WriteCoalescingStream(counting);
        using var server = WebSocket.CreateFromStream(writes, new WebSocketCreationOptions { IsServer = true });
        using var client = WebSocket.CreateFromStream(pair.Client, new WebSocketCreationOptions { IsServer = false });

        writes.HoldWrites = true;
        await server.SendAsync("first"u8.ToArray(), WebSocketMessageType.Text, true, Token);
        await server.SendAsync("second"u8.ToArray(), WebSocketMessageType.Text, true, Token);
        Assert.Empty(counting.Writes);

        writes.HoldWrites = false;
        await server.SendAsync("third"u8.ToArray(), WebSocketMessageType.Text, true, Token);

        Assert.Single(counting.Writes); // three frames, one write to the socket
        Assert.Equal("first", await ReceiveTextAsync(client));
        Assert.Equal("second", await ReceiveTextAsync(client));
        Assert.Equal("third", await ReceiveTextAsync(client));
    }

    [Fact]
    public async Task A_close_after_held_frames_sends_them_before_the_close_frame()
    {
        await using var pair = await SocketPair.OpenAsync();
        var writes = new WriteCoalescingStream(pair.Server);
        using var server = WebSocket.CreateFromStream(writes, new WebSocketCreationOptions { IsServer = true });
        using var client = WebSocket.CreateFromStream(pair.Client, new WebSocketCreationOptions { IsServer = false });

        writes.HoldWrites = true;
        await server.SendAsync("held"u8.ToArray(), WebSocketMessageType.Text, true, Token);
        writes.HoldWrites = false; // as the send loop does before its close frame
        await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Token);

        Assert.Equal("held", await ReceiveTextAsync(client));
        var close = await client.ReceiveAsync(new byte[16].AsMemory(), Token).AsTask().WaitAsync(TestTimeouts.Network, Token);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[256];
        var result = await socket.ReceiveAsync(buffer.AsMemory(), Token).AsTask().WaitAsync(TestTimeouts.Network, Token);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.True(result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    /// <summary>Records every write (as text) and flush it is given, and passes them on to a stream if it has one.</summary>
    sealed class RecordingStream(Stream? next = null) : Stream
    {
        public List<string> Writes { get; } = [];

        public int Flushes { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(Encoding.UTF8.GetString(buffer.Span));
            if (next is not null)
            {
                await next.WriteAsync(buffer, cancellationToken);
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            if (next is not null)
            {
                await next.FlushAsync(cancellationToken);
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            next?.ReadAsync(buffer, cancellationToken) ?? ValueTask.FromResult(0);

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override int Read(byte[] buffer, int offset, int count) => next?.Read(buffer, offset, count) ?? 0;

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Both ends of a loopback TCP connection.</summary>
    sealed class SocketPair(NetworkStream server, NetworkStream client) : IAsyncDisposable
    {
        public NetworkStream Server { get; } = server;

        public NetworkStream Client { get; } = client;

        public static async Task<SocketPair> OpenAsync()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            var accepting = listener.AcceptTcpClientAsync(Token).AsTask();
            await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint, Token).AsTask().WaitAsync(TestTimeouts.Network, Token);
            var server = await accepting.WaitAsync(TestTimeouts.Network, Token);
            return new SocketPair(new NetworkStream(server.Client, ownsSocket: true), new NetworkStream(client.Client, ownsSocket: true));
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Client.DisposeAsync();
        }
    }
}

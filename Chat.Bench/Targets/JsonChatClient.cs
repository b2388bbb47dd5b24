using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Chat.Bench.Workload;

namespace Chat.Bench.Targets;

/// <summary>
/// A client of the gateway's JSON protocol (<c>/ws</c>, PROTOCOL.md): waits for <c>welcome</c>, joins with <c>join</c>
/// and waits for <c>joined</c>, sends <c>send</c> frames, and counts <c>ack</c>, <c>error</c> and <c>message</c> frames.
/// Frames are read with <see cref="Utf8JsonReader"/> straight from the receive buffer, with no allocation per message.
/// </summary>
public sealed class JsonChatClient : WebSocketBenchClient
{
    /// <summary>The <c>ref</c> of every bench <c>send</c>: an <c>error</c> with it refuses a message, one without it a join.</summary>
    const string SendRef = "s";

    readonly TaskCompletionSource<string> _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly ConcurrentDictionary<string, TaskCompletionSource> _joins = new(StringComparer.Ordinal);
    readonly byte[] _sendBuffer = new byte[256 + BenchPayload.MaxLength];
    string? _prefixRoom;
    int _prefixLength;

    JsonChatClient(IBenchClientHandler handler) : base(handler)
    {
    }

    /// <summary>Connects to <paramref name="gateway"/> (its http address) as <paramref name="user"/> and waits for <c>welcome</c>.</summary>
    public static async Task<JsonChatClient> ConnectAsync(Uri gateway, string user, IBenchClientHandler handler, CancellationToken cancellationToken)
    {
        var client = new JsonChatClient(handler);
        try
        {
            var uri = new UriBuilder(gateway) { Scheme = gateway.Scheme == "https" ? "wss" : "ws", Path = "/ws", Query = $"user={Uri.EscapeDataString(user)}" }.Uri;
            await client.OpenAsync(uri, cancellationToken);
            client.Node = await client._welcome.Task.WaitAsync(HandshakeTimeout, cancellationToken);
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
        var joined = _joins.GetOrAdd(room, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var frame = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["type"] = "join", ["room"] = room }, BenchJsonContext.Default.DictionaryStringString);
        await SendFrameAsync(frame, cancellationToken);
        await joined.Task.WaitAsync(HandshakeTimeout, cancellationToken);
    }

    public override ValueTask SendAsync(string room, BenchPayload payload, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(room, _prefixRoom))
        {
            // Room names are bench-made (letters, digits, dashes): no escaping needed.
            _prefixLength = Encoding.UTF8.GetBytes($"{{\"type\":\"send\",\"ref\":\"{SendRef}\",\"room\":\"{room}\",\"text\":\"", _sendBuffer);
            _prefixRoom = room;
        }

        var length = _prefixLength;
        length += payload.Format(_sendBuffer.AsSpan(length));
        _sendBuffer[length++] = (byte)'"';
        _sendBuffer[length++] = (byte)'}';
        return SendFrameAsync(_sendBuffer.AsMemory(0, length), cancellationToken);
    }

    protected override void OnFrame(ReadOnlySpan<byte> frame)
    {
        ReadOnlySpan<byte> type = default, text = default, room = default, code = default, node = default;
        string? escapedText = null;
        var hasRef = false;
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.ValueSpan;
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                if (reader.ValueIsEscaped)
                {
                    escapedText = reader.GetString();
                }
                else
                {
                    text = reader.ValueSpan;
                }
            }
            else if (reader.ValueTextEquals("room"u8))
            {
                reader.Read();
                room = reader.ValueSpan;
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.ValueSpan;
            }
            else if (reader.ValueTextEquals("node"u8))
            {
                reader.Read();
                node = reader.ValueSpan;
            }
            else if (reader.ValueTextEquals("ref"u8))
            {
                reader.Read();
                hasRef = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(SendRef);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (type.SequenceEqual("message"u8))
        {
            Handler.OnMessage(escapedText is not null
                ? BenchPayload.TryParse(escapedText, out var parsed) ? parsed : null
                : BenchPayload.TryParse(text, out var payload) ? payload : null);
        }
        else if (type.SequenceEqual("ack"u8))
        {
            Handler.OnAccepted();
        }
        else if (type.SequenceEqual("joined"u8))
        {
            if (_joins.TryGetValue(Encoding.UTF8.GetString(room), out var joined))
            {
                joined.TrySetResult();
            }
        }
        else if (type.SequenceEqual("welcome"u8))
        {
            _welcome.TrySetResult(Encoding.UTF8.GetString(node));
        }
        else if (type.SequenceEqual("error"u8))
        {
            var error = Encoding.UTF8.GetString(code);
            if (hasRef)
            {
                Handler.OnRejected(error);
            }
            else
            {
                foreach (var pending in _joins.Values)
                {
                    pending.TrySetException(new InvalidOperationException($"the gateway answered error {error}"));
                }
            }
        }
    }

    protected override void OnReceiveEnded(Exception reason)
    {
        _welcome.TrySetException(reason);
        foreach (var pending in _joins.Values)
        {
            pending.TrySetException(reason);
        }
    }
}

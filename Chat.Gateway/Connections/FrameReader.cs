using System.Buffers;
using System.Net.WebSockets;

namespace Chat.Gateway.Connections;

/// <summary>
/// Reads a socket's messages one at a time: it waits for data without holding a buffer, so an idle connection holds no
/// memory, then reads the whole message into a pooled buffer, stopping one byte past the frame size limit.
/// </summary>
public sealed class FrameReader(WebSocket socket)
{
    public async ValueTask<IncomingFrame> ReadAsync()
    {
        var peek = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
        if (peek.MessageType == WebSocketMessageType.Close)
        {
            return IncomingFrame.Close;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ChatRules.MaxFrameBytes + 1);
        var length = 0;
        var type = peek.MessageType;
        // An empty message is consumed whole by the zero-byte read; anything else is read now.
        for (var end = peek.EndOfMessage; !end && length <= ChatRules.MaxFrameBytes;)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length, ChatRules.MaxFrameBytes + 1 - length), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return IncomingFrame.Close;
            }

            length += result.Count;
            end = result.EndOfMessage;
        }

        return new IncomingFrame(type, buffer, length);
    }
}

/// <summary>One message read by <see cref="FrameReader"/>; disposing it returns its buffer to the pool.</summary>
public readonly struct IncomingFrame(WebSocketMessageType type, byte[]? buffer, int length) : IDisposable
{
    public static IncomingFrame Close => new(WebSocketMessageType.Close, null, 0);

    public bool IsClose => type == WebSocketMessageType.Close;

    public bool IsBinary => type == WebSocketMessageType.Binary;

    /// <summary>Longer than the limit: only the first bytes past it were read, the rest never buffered.</summary>
    public bool IsTooLarge => length > ChatRules.MaxFrameBytes;

    public ReadOnlyMemory<byte> Utf8 => buffer.AsMemory(0, length);

    public void Dispose()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

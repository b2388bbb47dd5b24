using System.Buffers;

namespace Chat.Gateway.Connections;

/// <summary>
/// The upgraded connection's stream under the WebSocket: while <see cref="HoldWrites"/> is set (more frames are queued),
/// writes and flushes wait in a pooled buffer (at most <see cref="MaxHeldBytes"/>), so a burst of frames is one write
/// to Kestrel and one <c>send</c> to the kernel. The WebSocket writes one frame at a time, so the buffer needs no lock.
/// </summary>
public sealed class WriteCoalescingStream(Stream inner) : Stream
{
    /// <summary>Held bytes at which a write goes through even while held (Kestrel's default response buffer size).</summary>
    public const int MaxHeldBytes = 64 * 1024;

    byte[]? _held;
    volatile bool _holdWrites;

    /// <summary>Set by the send loop while more frames are queued behind the one it is writing.</summary>
    public bool HoldWrites
    {
        get => _holdWrites;
        set => _holdWrites = value;
    }

    /// <summary>Bytes written but not yet passed on.</summary>
    public int HeldBytes { get; private set; }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_holdWrites && HeldBytes + buffer.Length <= MaxHeldBytes)
        {
            Hold(buffer.Span);
            return ValueTask.CompletedTask;
        }

        if (HeldBytes == 0)
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }

        return WriteHeldAndAsync(buffer, cancellationToken);
    }

    async ValueTask WriteHeldAndAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var held = TakeHeld(out var count)!;
        try
        {
            if (count + buffer.Length <= held.Length)
            {
                buffer.Span.CopyTo(held.AsSpan(count));
                await inner.WriteAsync(held.AsMemory(0, count + buffer.Length), cancellationToken);
            }
            else
            {
                await inner.WriteAsync(held.AsMemory(0, count), cancellationToken);
                await inner.WriteAsync(buffer, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    void Hold(ReadOnlySpan<byte> bytes)
    {
        _held ??= ArrayPool<byte>.Shared.Rent(MaxHeldBytes);
        bytes.CopyTo(_held.AsSpan(HeldBytes));
        HeldBytes += bytes.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_holdWrites && HeldBytes + buffer.Length <= MaxHeldBytes)
        {
            Hold(buffer);
            return;
        }

        FlushHeld();
        inner.Write(buffer);
    }

    /// <summary>
    /// The WebSocket flushes after every frame: while writes are held that flush is the held frames' business, done
    /// by the write or flush that ends the hold.
    /// </summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_holdWrites)
        {
            return;
        }

        if (HeldBytes > 0)
        {
            await WriteHeldAndAsync(ReadOnlyMemory<byte>.Empty, cancellationToken);
        }

        await inner.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        if (_holdWrites)
        {
            return;
        }

        FlushHeld();
        inner.Flush();
    }

    void FlushHeld()
    {
        if (TakeHeld(out var count) is { } held)
        {
            try
            {
                inner.Write(held, 0, count);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(held);
            }
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseHeld();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        ReleaseHeld();
        await inner.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>On dispose the connection is gone: held bytes have nowhere to go.</summary>
    void ReleaseHeld()
    {
        if (TakeHeld(out _) is { } held)
        {
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    /// <summary>Takes the held buffer (to be returned to the pool by the caller) and how much of it is held.</summary>
    byte[]? TakeHeld(out int count)
    {
        var held = _held;
        count = HeldBytes;
        _held = null;
        HeldBytes = 0;
        return held;
    }
}

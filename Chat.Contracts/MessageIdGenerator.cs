using System.Security.Cryptography;

namespace Chat.Contracts;

/// <summary>
/// Makes UUIDv7 ids that are strictly increasing within one process (RFC 9562 §6.2, method 1: a 12-bit counter
/// in <c>rand_a</c>, seeded at random each millisecond and incremented within it; when it overflows, the
/// timestamp advances by one millisecond). <see cref="Guid.CreateVersion7()"/> alone is random within a
/// millisecond, so two messages accepted in the same millisecond could sort backwards.
/// </summary>
public sealed class MessageIdGenerator(TimeProvider timeProvider)
{
    readonly Lock _gate = new();
    long _lastMs = long.MinValue;
    int _counter;

    public MessageIdGenerator() : this(TimeProvider.System)
    {
    }

    /// <summary>A new id, greater than every id this instance made before.</summary>
    public Guid NewId()
    {
        long ms;
        int counter;
        lock (_gate)
        {
            ms = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            if (ms > _lastMs)
            {
                _lastMs = ms;
                // Seed below half the range so that a burst in one millisecond rarely overflows.
                _counter = RandomNumberGenerator.GetInt32(0, 0x800);
            }
            else if (++_counter > 0xFFF)
            {
                _lastMs++;
                _counter = 0;
            }

            ms = _lastMs;
            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        bytes[0] = (byte)(ms >> 40);
        bytes[1] = (byte)(ms >> 32);
        bytes[2] = (byte)(ms >> 24);
        bytes[3] = (byte)(ms >> 16);
        bytes[4] = (byte)(ms >> 8);
        bytes[5] = (byte)ms;
        bytes[6] = (byte)(0x70 | (counter >> 8));       // version 7 + counter high nibble
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));     // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}

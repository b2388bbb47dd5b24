namespace Chat.Contracts;

/// <summary>
/// Message ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter in <c>rand_a</c>
/// and random <c>rand_b</c>. <see cref="Guid.CompareTo(Guid)"/> and the canonical string order both
/// sort them by the time the gateway accepted the message.
/// </summary>
public static class MessageIds
{
    /// <summary>Parses a message id: a UUID of version 7 in any format <see cref="Guid.TryParse(string?, out Guid)"/> accepts.</summary>
    public static bool TryParse(string? value, out Guid id) =>
        Guid.TryParse(value, out id) && id.Version == 7;

    /// <summary>The Unix-millisecond timestamp held in a UUIDv7.</summary>
    public static DateTimeOffset GetTimestamp(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        long ms = 0;
        for (var i = 0; i < 6; i++)
        {
            ms = (ms << 8) | bytes[i];
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    /// <summary>
    /// The smallest UUIDv7 of a millisecond: every message id accepted at or after <paramref name="timestamp"/>
    /// is greater. Used as an <c>after</c> bound that reaches back in time.
    /// </summary>
    public static Guid Floor(DateTimeOffset timestamp)
    {
        var ms = Math.Max(0, timestamp.ToUnixTimeMilliseconds());
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)ms;
            ms >>= 8;
        }

        bytes[6] = 0x70;
        bytes[8] = 0x80;
        return new Guid(bytes, bigEndian: true);
    }
}

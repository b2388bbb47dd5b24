namespace Chat.Contracts;

/// <summary>
/// An order-free digest of a set of <see cref="RoomMember"/>s (the XOR of each entry's FNV-1a hash), the same in every
/// process: a receiver whose view of an instance has another digest than its heartbeat missed an update.
/// </summary>
public static class PresenceDigest
{
    /// <summary>The hash of one entry; XOR it into a digest to add or remove the entry.</summary>
    public static long Of(RoomMember member)
    {
        const ulong offset = 14695981039346656037, prime = 1099511628211;
        var hash = offset;
        foreach (var c in member.Room)
        {
            hash = (hash ^ c) * prime;
        }

        hash = (hash ^ '\n') * prime;
        foreach (var c in member.User)
        {
            hash = (hash ^ c) * prime;
        }

        return (long)hash;
    }
}

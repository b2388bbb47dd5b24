namespace Chat.Gateway.Presence;

/// <summary>
/// One connection's typing rate: at most one indicator a second per room; the rest are dropped (PROTOCOL.md), apart from
/// the message rate. Used by the receive loop only.
/// </summary>
public sealed class TypingThrottle(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);

    /// <summary><see langword="true"/> when an indicator for <paramref name="room"/> may go out now.</summary>
    public bool TryAcquire(string room)
    {
        var now = time.GetTimestamp();
        if (_last.TryGetValue(room, out var last) && time.GetElapsedTime(last, now) < Interval)
        {
            return false;
        }

        if (_last.Count >= ChatRules.MaxRoomsPerConnection)
        {
            // Rooms typed in long ago (or left since) need no entry: a connection is in at most 100 rooms.
            foreach (var stale in _last.Where(e => time.GetElapsedTime(e.Value, now) >= Interval).Select(e => e.Key).ToList())
            {
                _last.Remove(stale);
            }
        }

        _last[room] = now;
        return true;
    }
}

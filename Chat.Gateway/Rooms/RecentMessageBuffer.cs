using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Rooms;

/// <summary>
/// The most recent messages of every room (each gateway consumes every message), so that <c>join</c> can include
/// what the history service has not stored yet, or everything recent when it cannot be reached.
/// Bounded per room by count, and in time: a room whose last message is older than the retention is dropped.
/// It also tells a message it handed out from a copy of it: by the ids that arrived within the retention (at most
/// <see cref="MaxIdsPerRoom"/> per room), not by the messages it keeps, so a copy that comes after many newer
/// messages (a publish confirmed late, then retried under its id) is recognised too.
/// </summary>
public sealed class RecentMessageBuffer(IOptions<GatewayOptions> options, TimeProvider time)
{
    static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(15);

    /// <summary>Ids remembered per room: the retention's worth at up to ~800 messages a second in one room (~6 MB).</summary>
    public const int MaxIdsPerRoom = 100_000;

    readonly ConcurrentDictionary<string, RoomBuffer> _rooms = new(StringComparer.Ordinal);
    readonly int _perRoom = options.Value.RecentMessagesPerRoom;
    readonly long _retention = Timestamps(options.Value.RecentMessagesRetention, time); // in the units of time.GetTimestamp
    readonly long _sweepInterval = Timestamps(SweepInterval, time);
    long _nextSweep = time.GetTimestamp();

    /// <summary>Adds a message; <see langword="false"/> when it was already here (a copy of one it handed out).</summary>
    public bool Add(MessageView message)
    {
        var now = time.GetTimestamp();
        bool added;
        while (!TryAdd(_rooms.GetOrAdd(message.Room, static _ => new RoomBuffer()), message, now, out added))
        {
            // swept meanwhile: take the new one
        }

        var due = Interlocked.Read(ref _nextSweep);
        if (now >= due && Interlocked.CompareExchange(ref _nextSweep, now + _sweepInterval, due) == due)
        {
            Sweep(now);
        }

        return added;
    }

    bool TryAdd(RoomBuffer buffer, MessageView message, long now, out bool added)
    {
        lock (buffer)
        {
            added = false;
            if (buffer.Removed)
            {
                return false;
            }

            var forgetBefore = now - _retention;
            while (buffer.Arrivals.TryPeek(out var arrival) && (arrival.At < forgetBefore || buffer.Arrivals.Count >= MaxIdsPerRoom))
            {
                buffer.Arrivals.Dequeue();
                buffer.Ids.Remove(arrival.Id);
            }

            added = buffer.Ids.Add(message.Id); // else a copy: a redelivery, or a publish retried under its id
            if (added)
            {
                buffer.Arrivals.Enqueue((message.Id, now));

                // Messages come nearly in id order; insert in place to keep the list sorted either way.
                var messages = buffer.Messages;
                var index = messages.Count;
                while (index > 0 && messages[index - 1].Id.CompareTo(message.Id) > 0)
                {
                    index--;
                }

                messages.Insert(index, message);
                if (messages.Count > _perRoom)
                {
                    messages.RemoveRange(0, messages.Count - _perRoom);
                }
            }

            buffer.LastAdded = now;
            return true;
        }
    }

    /// <summary>The newest <paramref name="count"/> messages of the room, ascending.</summary>
    public IReadOnlyList<MessageView> GetLatest(string room, int count)
    {
        if (!_rooms.TryGetValue(room, out var buffer))
        {
            return [];
        }

        lock (buffer)
        {
            var messages = buffer.Messages;
            return messages.GetRange(Math.Max(0, messages.Count - count), Math.Min(count, messages.Count));
        }
    }

    /// <summary>The messages of the room with an id greater than <paramref name="after"/>, ascending.</summary>
    public IReadOnlyList<MessageView> GetAfter(string room, Guid after)
    {
        if (!_rooms.TryGetValue(room, out var buffer))
        {
            return [];
        }

        lock (buffer)
        {
            var messages = buffer.Messages;
            var index = messages.Count;
            while (index > 0 && messages[index - 1].Id.CompareTo(after) > 0)
            {
                index--;
            }

            return messages.GetRange(index, messages.Count - index);
        }
    }

    static long Timestamps(TimeSpan span, TimeProvider time) => (long)(span.TotalSeconds * time.TimestampFrequency);

    void Sweep(long now)
    {
        var oldest = now - _retention;
        foreach (var (room, buffer) in _rooms)
        {
            lock (buffer)
            {
                if (buffer.LastAdded < oldest)
                {
                    buffer.Removed = true;
                    _rooms.TryRemove(new KeyValuePair<string, RoomBuffer>(room, buffer));
                }
            }
        }
    }

    sealed class RoomBuffer
    {
        public readonly List<MessageView> Messages = [];
        public readonly HashSet<Guid> Ids = [];
        public readonly Queue<(Guid Id, long At)> Arrivals = new();
        public long LastAdded;
        public bool Removed;
    }
}

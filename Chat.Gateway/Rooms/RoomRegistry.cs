using System.Collections.Concurrent;

namespace Chat.Gateway.Rooms;

/// <summary>
/// The rooms of this gateway's connections. Delivery reads a room's members as an immutable array (copy on
/// write), so fanning a message out takes no lock; joins and leaves lock only their room.
/// </summary>
public sealed class RoomRegistry
{
    readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    /// <summary>Rooms with at least one member on this gateway.</summary>
    public int Count => _rooms.Count;

    public void Add(RoomSubscription subscription)
    {
        while (true)
        {
            var room = _rooms.GetOrAdd(subscription.Room, static _ => new Room());
            lock (room)
            {
                if (room.Removed)
                {
                    continue; // emptied and removed meanwhile: take the new one
                }

                room.Members = [.. room.Members, subscription];
                return;
            }
        }
    }

    public void Remove(RoomSubscription subscription)
    {
        if (!_rooms.TryGetValue(subscription.Room, out var room))
        {
            return;
        }

        lock (room)
        {
            var index = Array.IndexOf(room.Members, subscription);
            if (index < 0)
            {
                return;
            }

            room.Members = room.Members.Length == 1 ? [] : [.. room.Members[..index], .. room.Members[(index + 1)..]];
            if (room.Members.Length == 0)
            {
                room.Removed = true;
                _rooms.TryRemove(new KeyValuePair<string, Room>(subscription.Room, room));
            }
        }
    }

    /// <summary>Hands the message to every member of its room on this gateway; returns how many there were.</summary>
    public int Deliver(DeliveredMessage message)
    {
        if (!_rooms.TryGetValue(message.Message.Room, out var room))
        {
            return 0;
        }

        var members = room.Members;
        foreach (var member in members)
        {
            member.Deliver(message);
        }

        return members.Length;
    }

    sealed class Room
    {
        public volatile RoomSubscription[] Members = [];
        public bool Removed;
    }
}

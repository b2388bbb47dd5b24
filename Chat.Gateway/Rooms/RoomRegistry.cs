using System.Collections.Concurrent;
using Chat.Gateway.Connections;

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

    /// <summary>Hands a presence frame to every member of the room on this gateway but <paramref name="except"/>.</summary>
    public void DeliverPresence(string room, OutboundFrame frame, ChatConnection? except = null)
    {
        foreach (var member in MembersOf(room))
        {
            if (member.Connection != except)
            {
                member.DeliverPresence(frame);
            }
        }
    }

    /// <summary>Hands a typing frame to every member of the room on this gateway who is not <paramref name="typist"/>.</summary>
    public void DeliverTyping(string room, OutboundFrame frame, string typist)
    {
        foreach (var member in MembersOf(room))
        {
            member.DeliverTyping(frame, typist);
        }
    }

    RoomSubscription[] MembersOf(string room) => _rooms.TryGetValue(room, out var found) ? found.Members : [];

    sealed class Room
    {
        public volatile RoomSubscription[] Members = [];
        public bool Removed;
    }
}

using Chat.Gateway.Connections;

namespace Chat.Gateway.Rooms;

/// <summary>The rooms one connection is in. Touched by its receive loop only (one frame at a time), and after it ended.</summary>
public sealed class RoomMemberships(ChatConnection connection)
{
    readonly Dictionary<string, RoomSubscription> _rooms = new(StringComparer.Ordinal);

    public ChatConnection Connection => connection;

    public int Count => _rooms.Count;

    public bool Contains(string room) => _rooms.ContainsKey(room);

    internal bool TryGet(string room, out RoomSubscription subscription) => _rooms.TryGetValue(room, out subscription!);

    internal void Add(RoomSubscription subscription) => _rooms.Add(subscription.Room, subscription);

    internal bool Remove(string room, out RoomSubscription subscription) => _rooms.Remove(room, out subscription!);

    internal IReadOnlyList<string> Names => [.. _rooms.Keys];
}

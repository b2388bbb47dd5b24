using Chat.Gateway.Connections;

namespace Chat.Gateway.Rooms;

/// <summary>
/// One connection's membership of one room. While a join is being answered, live messages are held here so
/// that they reach the client after <c>joined</c> and without the ones <c>joined.history</c> already holds.
/// </summary>
public sealed class RoomSubscription
{
    readonly Lock _gate = new();
    readonly int _pendingLimit;
    List<DeliveredMessage>? _pending;
    volatile bool _joining;

    public RoomSubscription(ChatConnection connection, string room, int pendingLimit)
    {
        Connection = connection;
        Room = room;
        _pendingLimit = pendingLimit;
    }

    public ChatConnection Connection { get; }

    public string Room { get; }

    /// <summary>Holds live messages from now until <see cref="CompleteJoin"/>.</summary>
    public void BeginJoin()
    {
        lock (_gate)
        {
            _pending ??= [];
            _joining = true;
        }
    }

    /// <summary>Queues a live message for the connection, or holds it while the join is being answered.</summary>
    public void Deliver(DeliveredMessage message)
    {
        if (!_joining)
        {
            Connection.TrySend(message.FrameFor(Connection.Kind));
            return;
        }

        lock (_gate)
        {
            if (_pending is null)
            {
                Connection.TrySend(message.FrameFor(Connection.Kind));
            }
            else if (_pending.Count < _pendingLimit)
            {
                _pending.Add(message);
            }
            else
            {
                // As many messages arrived during one join as the outbox holds: the client could not keep up either.
                Connection.CloseFellBehind();
            }
        }
    }

    /// <summary>Sends <c>joined</c>, then the live messages held meanwhile that it does not already contain, in order of id.</summary>
    public void CompleteJoin(OutboundFrame joined, IReadOnlySet<Guid> inHistory)
    {
        lock (_gate)
        {
            Connection.TrySend(joined);
            if (_pending is { Count: > 0 } pending)
            {
                pending.Sort(static (a, b) => a.Id.CompareTo(b.Id));
                foreach (var message in pending)
                {
                    if (!inHistory.Contains(message.Id))
                    {
                        Connection.TrySend(message.FrameFor(Connection.Kind));
                    }
                }
            }

            _pending = null;
            _joining = false;
        }
    }
}

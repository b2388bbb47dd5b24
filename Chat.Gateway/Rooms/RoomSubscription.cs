using Chat.Gateway.Connections;

namespace Chat.Gateway.Rooms;

/// <summary>
/// One connection's membership of one room. While a join is being answered, live messages and presence frames are
/// held here so that they reach the client after <c>joined</c>, and messages without the ones <c>joined.history</c>
/// already holds. Presence and typing frames go to JSON connections only (the 2013 client knows no such frames).
/// </summary>
public sealed class RoomSubscription(ChatConnection connection, string room, int pendingLimit)
{
    readonly Lock _gate = new();
    List<DeliveredMessage>? _pending;
    List<OutboundFrame>? _pendingPresence;
    volatile bool _joining;

    public ChatConnection Connection => connection;

    public string Room => room;

    bool SpeaksJson => connection.Kind == ConnectionKind.Json;

    /// <summary>Holds live messages and presence frames from now until <see cref="CompleteJoin"/>.</summary>
    public void BeginJoin()
    {
        lock (_gate)
        {
            _pending ??= [];
            _pendingPresence ??= [];
            _joining = true;
        }
    }

    /// <summary>Queues a live message for the connection, or holds it while the join is being answered.</summary>
    public void Deliver(DeliveredMessage message)
    {
        if (!_joining)
        {
            connection.TrySend(message.FrameFor(connection.Kind));
            return;
        }

        lock (_gate)
        {
            if (_pending is null)
            {
                connection.TrySend(message.FrameFor(connection.Kind));
            }
            else if (_pending.Count < pendingLimit)
            {
                _pending.Add(message);
            }
            else
            {
                // As many messages arrived during one join as the outbox holds: the client could not keep up either.
                connection.CloseFellBehind("a whole outbox behind while joining");
            }
        }
    }

    /// <summary>Queues a presence frame (a user came or went), or holds it while the join is being answered.</summary>
    public void DeliverPresence(OutboundFrame frame)
    {
        if (!SpeaksJson)
        {
            return;
        }

        lock (_gate)
        {
            if (_pendingPresence is null)
            {
                connection.TrySend(frame);
            }
            else
            {
                _pendingPresence.Add(frame);
            }
        }
    }

    /// <summary>Queues a typing frame unless it is the connection's own user, or it is still joining (typing is best effort).</summary>
    public void DeliverTyping(OutboundFrame frame, string typist)
    {
        if (SpeaksJson && !_joining && !string.Equals(connection.User, typist, StringComparison.Ordinal))
        {
            connection.TrySend(frame);
        }
    }

    /// <summary>
    /// Sends <c>joined</c>, then the live messages held meanwhile that it does not already contain, in order of id, then
    /// the presence frames held meanwhile.
    /// </summary>
    public void CompleteJoin(OutboundFrame joined, IReadOnlySet<Guid> inHistory)
    {
        lock (_gate)
        {
            connection.TrySend(joined);
            if (_pending is { Count: > 0 } pending)
            {
                pending.Sort(static (a, b) => a.Id.CompareTo(b.Id));
                foreach (var message in pending.Where(m => !inHistory.Contains(m.Id)))
                {
                    connection.TrySend(message.FrameFor(connection.Kind));
                }
            }

            foreach (var frame in _pendingPresence ?? [])
            {
                connection.TrySend(frame);
            }

            _pending = null;
            _pendingPresence = null;
            _joining = false;
        }
    }
}

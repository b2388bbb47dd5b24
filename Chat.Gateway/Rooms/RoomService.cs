using System.Text.Json;
using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Presence;
using Chat.Gateway.Protocol;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Rooms;

/// <summary>
/// Joins and leaves rooms for a connection, following DESIGN.md: subscribe first, then answer with history and the
/// room's members; every join and leave is told to presence.
/// </summary>
public sealed class RoomService(RoomRegistry registry, JoinHistory history, PresenceTracker presence, GatewayTelemetry telemetry, IOptions<GatewayOptions> options)
{
    readonly int _pendingLimit = options.Value.SendQueueCapacity;

    /// <summary>Subscribes without history (the plain-text client's lobby).</summary>
    public void Subscribe(RoomMemberships rooms, string room)
    {
        if (!rooms.Contains(room))
        {
            Add(rooms, room);
        }
    }

    /// <summary>
    /// Subscribes (or re-answers an existing membership), then sends <c>joined</c> with the merged history and, after
    /// it, the live messages that arrived meanwhile.
    /// </summary>
    public async Task JoinAsync(RoomMemberships rooms, string room, Guid? since, CancellationToken cancellationToken)
    {
        if (!rooms.TryGet(room, out var subscription))
        {
            subscription = Add(rooms, room);
        }

        subscription.BeginJoin();
        var (messages, complete) = await history.GetAsync(room, since, rooms.Connection.AccessToken, cancellationToken);
        var joined = JsonSerializer.SerializeToUtf8Bytes(
            new JoinedFrame(room, messages, presence.Members(room)) { HistoryComplete = complete ? null : false },
            GatewayJsonContext.Default.JoinedFrame);
        subscription.CompleteJoin(new OutboundFrame(joined), messages.Select(m => m.Id).ToHashSet());
    }

    /// <summary>Leaves one room; <see langword="false"/> when the connection was not in it.</summary>
    public bool Leave(RoomMemberships rooms, string room)
    {
        if (!rooms.Remove(room, out var subscription))
        {
            return false;
        }

        registry.Remove(subscription);
        presence.Left(room, rooms.Connection);
        telemetry.RoomMemberships.Add(-1);
        return true;
    }

    public void LeaveAll(RoomMemberships rooms)
    {
        foreach (var room in rooms.Names)
        {
            Leave(rooms, room);
        }
    }

    RoomSubscription Add(RoomMemberships rooms, string room)
    {
        var subscription = new RoomSubscription(rooms.Connection, room, _pendingLimit);
        rooms.Add(subscription);
        registry.Add(subscription);
        presence.Joined(room, rooms.Connection);
        telemetry.RoomMemberships.Add(1);
        return subscription;
    }
}

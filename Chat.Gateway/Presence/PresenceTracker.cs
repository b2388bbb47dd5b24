using System.Security.Cryptography;
using System.Text.Json;
using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Protocol;
using Chat.Gateway.Rooms;

namespace Chat.Gateway.Presence;

/// <summary>
/// Presence on this instance: keeps the <see cref="PresenceView"/> of every instance, announces this instance's own
/// changes (<see cref="PresencePublisher"/>), applies the others', and tells the local members of a room when a user came
/// or went. One lock orders every change with its announcement and its frames.
/// </summary>
public sealed partial class PresenceTracker(PresencePublisher publisher, RoomRegistry rooms, GatewayNode node, TimeProvider time,
    ILogger<PresenceTracker> logger)
{
    /// <summary>How often this instance says it is alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(3);

    /// <summary>An instance not heard from for this long died without a word: its users leave (PROTOCOL.md: within 15 s).</summary>
    public static readonly TimeSpan Silence = HeartbeatInterval * 3;

    readonly Lock _gate = new();
    readonly PresenceView _view = new();
    long _lastSyncRequest;

    /// <summary>This run of the process: a restarted node is a new instance.</summary>
    public string Instance { get; } = $"{node.Id}:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>The users in a room across every instance, sorted.</summary>
    public IReadOnlyList<string> Members(string room)
    {
        lock (_gate)
        {
            return _view.Members(room);
        }
    }

    /// <summary>A local connection is now in <paramref name="room"/>.</summary>
    public void Joined(string room, ChatConnection connection) => ChangeLocal(new RoomMember(room, connection.User), connection, joined: true);

    /// <summary>A local connection is no longer in <paramref name="room"/>.</summary>
    public void Left(string room, ChatConnection connection) => ChangeLocal(new RoomMember(room, connection.User), connection, joined: false);

    void ChangeLocal(RoomMember member, ChatConnection connection, bool joined)
    {
        var changes = new List<PresenceChange>(1);
        lock (_gate)
        {
            var announce = joined ? _view.AddLocal(member, changes) : _view.RemoveLocal(member, changes);
            if (announce)
            {
                Publish(joined ? PresenceKinds.Joined : PresenceKinds.Left, [member]);
            }

            Notify(changes, except: connection);
        }
    }

    /// <summary>Applies another instance's update (this instance's own come back through the fanout and are ignored).</summary>
    public void Apply(PresenceUpdate update)
    {
        if (update.Instance == Instance)
        {
            return;
        }

        var changes = new List<PresenceChange>();
        lock (_gate)
        {
            if (update.Kind == PresenceKinds.SyncRequest)
            {
                Publish(PresenceKinds.Snapshot, _view.LocalMembers);
            }

            if (!_view.ApplyRemote(update, time.GetTimestamp(), changes))
            {
                Log.DigestMismatch(logger, update.Instance);
                RequestSync();
            }

            Notify(changes);
        }
    }

    /// <summary>Announces this instance and asks the others for their entries.</summary>
    public void Start()
    {
        lock (_gate)
        {
            RequestSync();
        }
    }

    /// <summary>Says this instance is alive, and lets the users of instances that fell silent go.</summary>
    public void Beat()
    {
        var changes = new List<PresenceChange>();
        lock (_gate)
        {
            Publish(PresenceKinds.Heartbeat, digest: _view.LocalDigest);
            var before = time.GetTimestamp() - (long)(Silence.TotalSeconds * time.TimestampFrequency);
            foreach (var instance in _view.Expire(before, changes))
            {
                Log.InstanceSilent(logger, instance, Silence.TotalSeconds);
            }

            Notify(changes);
        }
    }

    /// <summary>This instance stops: the others drop its entries at once.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            Publish(PresenceKinds.Gone);
        }
    }

    void RequestSync()
    {
        // At most one a heartbeat: every instance answers each with its whole state.
        var now = time.GetTimestamp();
        if (_lastSyncRequest == 0 || time.GetElapsedTime(_lastSyncRequest, now) >= HeartbeatInterval)
        {
            _lastSyncRequest = now;
            Publish(PresenceKinds.SyncRequest);
        }
    }

    void Publish(string kind, IReadOnlyList<RoomMember>? members = null, long digest = 0) =>
        publisher.Enqueue(new PresenceUpdate(Instance, node.Id, kind, members, digest));

    void Notify(List<PresenceChange> changes, ChatConnection? except = null)
    {
        foreach (var (member, present) in changes)
        {
            var frame = new PresenceFrame(member.Room, member.User, present ? PresenceFrame.Joined : PresenceFrame.Left);
            rooms.DeliverPresence(member.Room, new OutboundFrame(JsonSerializer.SerializeToUtf8Bytes(frame, GatewayJsonContext.Default.PresenceFrame)), except);
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Presence of instance {Instance} differs from its heartbeat: asking for snapshots")]
        public static partial void DigestMismatch(ILogger logger, string instance);

        [LoggerMessage(2, LogLevel.Warning, "Gateway instance {Instance} was not heard from for {Seconds} s: its users left")]
        public static partial void InstanceSilent(ILogger logger, string instance, double seconds);
    }
}

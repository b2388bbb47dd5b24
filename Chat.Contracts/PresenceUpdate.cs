namespace Chat.Contracts;

/// <summary>
/// A change in who is where, as one gateway instance announces it about its own connections: published to the
/// <c>Chat.Contracts:PresenceUpdate</c> fanout (non-persistent, never stored), consumed by every gateway instance.
/// Each instance publishes its updates in order, so a receiver applies them as they come.
/// </summary>
/// <param name="Instance">This run of the gateway process (a restart is a new instance of the same node).</param>
/// <param name="Node">The gateway node (<c>welcome.node</c>).</param>
/// <param name="Kind">One of <see cref="PresenceKinds"/>.</param>
/// <param name="Members">joined/left: the entries that changed; snapshot: every entry of the instance; else none.</param>
/// <param name="Digest">heartbeat: <see cref="PresenceDigest"/> of the instance's entries, so a receiver can tell it missed an update.</param>
public sealed record PresenceUpdate(string Instance, string Node, string Kind, IReadOnlyList<RoomMember>? Members = null, long Digest = 0);

/// <summary>A user in a room, on the instance that announced it.</summary>
public sealed record RoomMember(string Room, string User);

/// <summary>The kinds of <see cref="PresenceUpdate"/>.</summary>
public static class PresenceKinds
{
    /// <summary>The instance's first connection of a user joined a room.</summary>
    public const string Joined = "joined";

    /// <summary>The instance's last connection of a user left a room (or closed).</summary>
    public const string Left = "left";

    /// <summary>Every entry of the instance: replaces what a receiver knew of it.</summary>
    public const string Snapshot = "snapshot";

    /// <summary>The instance is alive; carries the digest of its entries.</summary>
    public const string Heartbeat = "heartbeat";

    /// <summary>The instance started (or lost track): every other instance answers with its snapshot.</summary>
    public const string SyncRequest = "sync";

    /// <summary>The instance is stopping: its entries are gone.</summary>
    public const string Gone = "gone";
}

namespace Chat.Gateway.Presence;

/// <summary>
/// Who is in which room across every gateway instance: this instance's connections, counted, and each other instance's
/// entries as it announced them (one owner per entry, so nothing to merge). Changes report who came or went. Not
/// thread-safe: <see cref="PresenceTracker"/> serialises access.
/// </summary>
public sealed class PresenceView
{
    readonly Dictionary<RoomMember, int> _local = [];
    readonly Dictionary<string, RemoteInstance> _remote = new(StringComparer.Ordinal);
    readonly Dictionary<string, Dictionary<string, int>> _holders = new(StringComparer.Ordinal); // room → user → instances

    /// <summary>The digest of this instance's own entries (see <see cref="PresenceDigest"/>).</summary>
    public long LocalDigest { get; private set; }

    /// <summary>This instance's own entries.</summary>
    public IReadOnlyList<RoomMember> LocalMembers => [.. _local.Keys];

    /// <summary>The users in a room, sorted (ordinal).</summary>
    public IReadOnlyList<string> Members(string room) =>
        _holders.TryGetValue(room, out var users) ? [.. users.Keys.Order(StringComparer.Ordinal)] : [];

    /// <summary>A local connection joined; <see langword="true"/> when it is the user's first here (announce it).</summary>
    public bool AddLocal(RoomMember member, List<PresenceChange> changes)
    {
        var count = _local.GetValueOrDefault(member);
        _local[member] = count + 1;
        if (count > 0)
        {
            return false;
        }

        LocalDigest ^= PresenceDigest.Of(member);
        Hold(member, changes);
        return true;
    }

    /// <summary>A local connection left; <see langword="true"/> when it was the user's last here (announce it).</summary>
    public bool RemoveLocal(RoomMember member, List<PresenceChange> changes)
    {
        if (!_local.TryGetValue(member, out var count))
        {
            return false;
        }

        if (count > 1)
        {
            _local[member] = count - 1;
            return false;
        }

        _local.Remove(member);
        LocalDigest ^= PresenceDigest.Of(member);
        Release(member, changes);
        return true;
    }

    /// <summary>Applies another instance's update, at <paramref name="now"/> (a timestamp); <see langword="false"/> when its heartbeat says we missed something.</summary>
    public bool ApplyRemote(PresenceUpdate update, long now, List<PresenceChange> changes)
    {
        var instance = Instance(update, now, changes);
        switch (update.Kind)
        {
            case PresenceKinds.Joined:
                foreach (var member in update.Members ?? [])
                {
                    if (instance.Entries.Add(member))
                    {
                        instance.Digest ^= PresenceDigest.Of(member);
                        Hold(member, changes);
                    }
                }

                break;
            case PresenceKinds.Left:
                foreach (var member in update.Members ?? [])
                {
                    Remove(instance, member, changes);
                }

                break;
            case PresenceKinds.Snapshot:
                var members = (update.Members ?? []).ToHashSet();
                foreach (var member in instance.Entries.Where(m => !members.Contains(m)).ToList())
                {
                    Remove(instance, member, changes);
                }

                foreach (var member in members.Where(instance.Entries.Add))
                {
                    instance.Digest ^= PresenceDigest.Of(member);
                    Hold(member, changes);
                }

                break;
            case PresenceKinds.Gone:
                Drop(update.Instance, changes);
                break;
            case PresenceKinds.Heartbeat:
                return instance.Digest == update.Digest;
        }

        return true;
    }

    /// <summary>Drops every instance not heard from since <paramref name="before"/> (a timestamp): it died without a word.</summary>
    public IReadOnlyList<string> Expire(long before, List<PresenceChange> changes)
    {
        var silent = _remote.Where(r => r.Value.LastHeard < before).Select(r => r.Key).ToList();
        foreach (var instance in silent)
        {
            Drop(instance, changes);
        }

        return silent;
    }

    RemoteInstance Instance(PresenceUpdate update, long now, List<PresenceChange> changes)
    {
        if (!_remote.TryGetValue(update.Instance, out var instance))
        {
            // A new run of a node replaces its earlier one at once, instead of waiting for that one to fall silent.
            foreach (var earlier in _remote.Where(r => r.Value.Node == update.Node).Select(r => r.Key).ToList())
            {
                Drop(earlier, changes);
            }

            instance = new RemoteInstance(update.Node);
            _remote[update.Instance] = instance;
        }

        instance.LastHeard = now;
        return instance;
    }

    void Drop(string instanceId, List<PresenceChange> changes)
    {
        if (_remote.Remove(instanceId, out var instance))
        {
            foreach (var member in instance.Entries)
            {
                Release(member, changes);
            }
        }
    }

    void Remove(RemoteInstance instance, RoomMember member, List<PresenceChange> changes)
    {
        if (instance.Entries.Remove(member))
        {
            instance.Digest ^= PresenceDigest.Of(member);
            Release(member, changes);
        }
    }

    void Hold(RoomMember member, List<PresenceChange> changes)
    {
        if (!_holders.TryGetValue(member.Room, out var users))
        {
            _holders[member.Room] = users = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var holders = users.GetValueOrDefault(member.User);
        users[member.User] = holders + 1;
        if (holders == 0)
        {
            changes.Add(new PresenceChange(member, Present: true));
        }
    }

    void Release(RoomMember member, List<PresenceChange> changes)
    {
        if (!_holders.TryGetValue(member.Room, out var users) || !users.TryGetValue(member.User, out var holders))
        {
            return;
        }

        if (holders > 1)
        {
            users[member.User] = holders - 1;
            return;
        }

        users.Remove(member.User);
        if (users.Count == 0)
        {
            _holders.Remove(member.Room);
        }

        changes.Add(new PresenceChange(member, Present: false));
    }

    sealed class RemoteInstance(string node)
    {
        public string Node { get; } = node;

        public HashSet<RoomMember> Entries { get; } = [];

        public long Digest { get; set; }

        public long LastHeard { get; set; }
    }
}

/// <summary>A user came into (<see cref="Present"/>) or went out of a room, across every instance.</summary>
public readonly record struct PresenceChange(RoomMember Member, bool Present);

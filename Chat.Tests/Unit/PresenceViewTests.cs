using Chat.Gateway.Presence;

namespace Chat.Tests.Unit;

public sealed class PresenceViewTests
{
    readonly PresenceView _view = new();
    readonly List<PresenceChange> _changes = [];
    static readonly RoomMember Alice = new("general", "alice");
    static readonly RoomMember Bob = new("general", "bob");

    static PresenceUpdate From(string instance, string kind, params RoomMember[] members) =>
        new(instance, instance.Split(':')[0], kind, members);

    [Fact]
    public void A_users_first_local_connection_is_announced_and_makes_them_present_and_the_second_does_nothing()
    {
        Assert.True(_view.AddLocal(Alice, _changes));
        Assert.False(_view.AddLocal(Alice, _changes));

        Assert.Equal([new PresenceChange(Alice, true)], _changes);
        Assert.Equal(["alice"], _view.Members("general"));
    }

    [Fact]
    public void Only_the_last_local_connection_leaving_is_announced_and_makes_them_absent()
    {
        _view.AddLocal(Alice, _changes);
        _view.AddLocal(Alice, _changes);
        _changes.Clear();

        Assert.False(_view.RemoveLocal(Alice, _changes));
        Assert.Empty(_changes);
        Assert.True(_view.RemoveLocal(Alice, _changes));
        Assert.Equal([new PresenceChange(Alice, false)], _changes);
        Assert.Empty(_view.Members("general"));
    }

    [Fact]
    public void A_user_held_by_two_instances_stays_until_both_let_go()
    {
        _view.AddLocal(Alice, _changes);
        _view.ApplyRemote(From("b:1", PresenceKinds.Joined, Alice, Bob), 1, _changes);
        Assert.Equal([new PresenceChange(Alice, true), new PresenceChange(Bob, true)], _changes);
        _changes.Clear();

        _view.RemoveLocal(Alice, _changes);
        Assert.Empty(_changes);
        _view.ApplyRemote(From("b:1", PresenceKinds.Left, Alice), 2, _changes);

        Assert.Equal([new PresenceChange(Alice, false)], _changes);
        Assert.Equal(["bob"], _view.Members("general"));
    }

    [Fact]
    public void Members_are_sorted_ordinally()
    {
        foreach (var user in new[] { "bob", "Alice", "alice", "_x" })
        {
            _view.AddLocal(new RoomMember("r", user), _changes);
        }

        Assert.Equal(["Alice", "_x", "alice", "bob"], _view.Members("r"));
    }

    [Fact]
    public void A_snapshot_replaces_what_was_known_of_its_instance()
    {
        _view.ApplyRemote(From("b:1", PresenceKinds.Joined, Alice), 1, _changes);
        _changes.Clear();

        _view.ApplyRemote(From("b:1", PresenceKinds.Snapshot, Bob), 2, _changes);

        Assert.Equal([new PresenceChange(Alice, false), new PresenceChange(Bob, true)], _changes);
    }

    [Fact]
    public void An_instance_not_heard_from_is_dropped_with_its_users_and_a_gone_one_at_once()
    {
        _view.ApplyRemote(From("b:1", PresenceKinds.Joined, Alice), 10, _changes);
        _view.ApplyRemote(From("c:1", PresenceKinds.Joined, Bob), 20, _changes);
        _changes.Clear();

        Assert.Equal(["b:1"], _view.Expire(before: 15, _changes));
        Assert.Equal([new PresenceChange(Alice, false)], _changes);
        _changes.Clear();

        _view.ApplyRemote(From("c:1", PresenceKinds.Gone), 21, _changes);
        Assert.Equal([new PresenceChange(Bob, false)], _changes);
    }

    [Fact]
    public void A_new_run_of_a_node_replaces_the_earlier_one_at_once()
    {
        _view.ApplyRemote(From("b:old", PresenceKinds.Joined, Alice), 1, _changes);
        _changes.Clear();

        _view.ApplyRemote(From("b:new", PresenceKinds.Heartbeat), 2, _changes);

        Assert.Equal([new PresenceChange(Alice, false)], _changes);
    }

    [Fact]
    public void A_heartbeat_whose_digest_differs_from_what_was_received_asks_for_a_sync()
    {
        _view.ApplyRemote(From("b:1", PresenceKinds.Joined, Alice), 1, _changes);
        var matching = PresenceDigest.Of(Alice);

        Assert.True(_view.ApplyRemote(From("b:1", PresenceKinds.Heartbeat) with { Digest = matching }, 2, _changes));
        Assert.False(_view.ApplyRemote(From("b:1", PresenceKinds.Heartbeat) with { Digest = matching ^ PresenceDigest.Of(Bob) }, 3, _changes));
    }

    [Fact]
    public void The_local_digest_is_the_same_whatever_the_order_entries_came_and_went()
    {
        var other = new PresenceView();
        _view.AddLocal(Alice, _changes);
        _view.AddLocal(Bob, _changes);
        other.AddLocal(Bob, _changes);
        other.AddLocal(new RoomMember("x", "y"), _changes);
        other.AddLocal(Alice, _changes);
        other.RemoveLocal(new RoomMember("x", "y"), _changes);

        Assert.Equal(_view.LocalDigest, other.LocalDigest);
        Assert.NotEqual(0, _view.LocalDigest);
    }
}

using Chat.Gateway.Connections;
using Chat.Gateway.Rooms;

namespace Chat.Tests.Unit;

public sealed class RoomRegistryTests
{
    [Fact]
    public void A_message_reaches_every_member_of_its_room_once_and_no_one_else()
    {
        var registry = new RoomRegistry();
        var alice = TestConnections.Create("alice");
        var bob = TestConnections.Create("bob");
        var carol = TestConnections.Create("carol");
        registry.Add(new RoomSubscription(alice, "general", 64));
        registry.Add(new RoomSubscription(bob, "general", 64));
        registry.Add(new RoomSubscription(carol, "random", 64));

        var recipients = registry.Deliver(new DeliveredMessage(TestConnections.Message("general", "hi")));

        Assert.Equal(2, recipients);
        Assert.Single(TestConnections.Drain(alice));
        Assert.Single(TestConnections.Drain(bob));
        Assert.Empty(TestConnections.Drain(carol));
    }

    [Fact]
    public void A_removed_member_receives_nothing_and_an_empty_room_is_dropped()
    {
        var registry = new RoomRegistry();
        var alice = TestConnections.Create();
        var subscription = new RoomSubscription(alice, "general", 64);
        registry.Add(subscription);
        registry.Remove(subscription);

        Assert.Equal(0, registry.Deliver(new DeliveredMessage(TestConnections.Message("general", "hi"))));
        Assert.Equal(0, registry.Count);
        Assert.Empty(TestConnections.Drain(alice));
    }

    [Fact]
    public void Concurrent_joins_and_leaves_leave_exactly_the_members_that_stayed()
    {
        var registry = new RoomRegistry();
        var stayers = Enumerable.Range(0, 50).Select(_ => new RoomSubscription(TestConnections.Create(), "busy", 64)).ToList();
        var leavers = Enumerable.Range(0, 50).Select(_ => new RoomSubscription(TestConnections.Create(), "busy", 64)).ToList();

        Parallel.ForEach(stayers.Concat(leavers), registry.Add);
        Parallel.ForEach(leavers, registry.Remove);

        Assert.Equal(50, registry.Deliver(new DeliveredMessage(TestConnections.Message("busy", "x"))));
    }

    [Fact]
    public void The_frame_bytes_are_serialised_once_and_shared_by_every_recipient()
    {
        var message = new DeliveredMessage(TestConnections.Message("general", "hi"));

        Assert.Same(message.Json, message.Json);
        Assert.Same(message.PlainText, message.PlainText);
        Assert.Equal("bob: hi", System.Text.Encoding.UTF8.GetString(message.PlainText));
    }

    [Fact]
    public void Live_messages_during_a_join_come_after_joined_in_order_and_without_those_in_history()
    {
        var alice = TestConnections.Create();
        var subscription = new RoomSubscription(alice, "general", 64);
        subscription.BeginJoin();
        var ids = new MessageIdGenerator();
        var (first, second, third) = (ids.NewId(), ids.NewId(), ids.NewId());
        subscription.Deliver(new DeliveredMessage(TestConnections.Message("general", "third", third)));
        subscription.Deliver(new DeliveredMessage(TestConnections.Message("general", "first", first)));
        subscription.Deliver(new DeliveredMessage(TestConnections.Message("general", "second", second)));

        subscription.CompleteJoin(new OutboundFrame("JOINED"u8.ToArray()), new HashSet<Guid> { first });
        subscription.Deliver(new DeliveredMessage(TestConnections.Message("general", "fourth")));

        var frames = TestConnections.Drain(alice);
        Assert.Equal("JOINED", frames[0]);
        Assert.Contains("\"second\"", frames[1], StringComparison.Ordinal);
        Assert.Contains("\"third\"", frames[2], StringComparison.Ordinal);
        Assert.Contains("\"fourth\"", frames[3], StringComparison.Ordinal);
        Assert.Equal(4, frames.Count);
    }

    [Fact]
    public void A_connection_whose_outbox_is_full_is_closed_with_1013_and_the_others_still_receive()
    {
        var slow = TestConnections.Create("slow", capacity: 16);
        var fast = TestConnections.Create("fast", capacity: 16);
        var registry = new RoomRegistry();
        registry.Add(new RoomSubscription(slow, "general", 16));
        registry.Add(new RoomSubscription(fast, "general", 16));

        for (var i = 0; i < 20; i++)
        {
            registry.Deliver(new DeliveredMessage(TestConnections.Message("general", $"m{i}")));
            TestConnections.Drain(fast); // the fast one keeps reading
        }

        Assert.Equal(ChatConnection.TryAgainLater, slow.CloseStatus);
        Assert.Null(fast.CloseStatus);
    }

    [Fact]
    public void Plain_text_connections_get_the_2013_line()
    {
        var plain = TestConnections.Create("old", ConnectionKind.PlainText);
        var registry = new RoomRegistry();
        registry.Add(new RoomSubscription(plain, "lobby", 64));

        registry.Deliver(new DeliveredMessage(TestConnections.Message("lobby", "hello")));

        Assert.Equal(["bob: hello"], TestConnections.Drain(plain));
    }
}

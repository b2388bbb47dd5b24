using Chat.Gateway;
using Chat.Gateway.Rooms;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Chat.Tests.Unit;

public sealed class RecentMessageBufferTests
{
    static RecentMessageBuffer Create(int perRoom = 50, TimeProvider? time = null) =>
        new(Options.Create(new GatewayOptions { RecentMessagesPerRoom = perRoom }), time ?? TimeProvider.System);

    static MessageView View(string room, Guid id) => new(id, room, "bob", "x", DateTimeOffset.UtcNow);

    [Fact]
    public void Messages_are_kept_in_id_order_even_when_they_arrive_out_of_order_and_redeliveries_are_ignored()
    {
        var buffer = Create();
        var ids = new MessageIdGenerator();
        var (a, b, c) = (ids.NewId(), ids.NewId(), ids.NewId());
        Assert.True(buffer.Add(View("r", c)));
        Assert.True(buffer.Add(View("r", a)));
        Assert.True(buffer.Add(View("r", b)));
        Assert.False(buffer.Add(View("r", b))); // a redelivery: not handed out again

        Assert.Equal([a, b, c], buffer.GetLatest("r", 10).Select(m => m.Id));
    }

    [Fact]
    public void A_copy_that_comes_after_more_newer_messages_than_the_room_keeps_is_still_recognised()
    {
        // A publish confirmed too late is answered unavailable, and its copy (a retry under its id) may come much later.
        var buffer = Create(perRoom: 50);
        var ids = new MessageIdGenerator();
        var late = ids.NewId();
        Assert.True(buffer.Add(View("r", late)));
        for (var i = 0; i < 100; i++)
        {
            buffer.Add(View("r", ids.NewId()));
        }

        Assert.False(buffer.Add(View("r", late)));
        Assert.DoesNotContain(late, buffer.GetLatest("r", 100).Select(m => m.Id));
    }

    [Fact]
    public void An_id_is_remembered_for_the_retention_and_then_forgotten()
    {
        var time = new FakeTimeProvider();
        var retention = new GatewayOptions().RecentMessagesRetention;
        var buffer = Create(time: time);
        var ids = new MessageIdGenerator();
        var id = ids.NewId();
        buffer.Add(View("r", id));

        time.Advance(retention - TimeSpan.FromSeconds(1));
        buffer.Add(View("r", ids.NewId())); // keeps the room alive
        Assert.False(buffer.Add(View("r", id)));

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(buffer.Add(View("r", id)));
    }

    [Fact]
    public void Each_room_keeps_only_its_newest_messages()
    {
        var buffer = Create(perRoom: 50);
        var ids = new MessageIdGenerator();
        var all = Enumerable.Range(0, 120).Select(_ => ids.NewId()).ToList();
        all.ForEach(id => buffer.Add(View("r", id)));
        buffer.Add(View("other", ids.NewId()));

        Assert.Equal(all.TakeLast(50), buffer.GetLatest("r", 100).Select(m => m.Id));
        Assert.Equal(all.TakeLast(10), buffer.GetLatest("r", 10).Select(m => m.Id));
        Assert.Single(buffer.GetLatest("other", 100));
        Assert.Empty(buffer.GetLatest("unknown", 10));
    }

    [Fact]
    public void GetAfter_returns_the_messages_after_an_id()
    {
        var buffer = Create();
        var ids = new MessageIdGenerator();
        var all = Enumerable.Range(0, 10).Select(_ => ids.NewId()).ToList();
        all.ForEach(id => buffer.Add(View("r", id)));

        Assert.Equal(all.Skip(4), buffer.GetAfter("r", all[3]).Select(m => m.Id));
        Assert.Empty(buffer.GetAfter("r", all[^1]));
        Assert.Equal(all, buffer.GetAfter("r", MessageIds.Floor(DateTimeOffset.UnixEpoch)).Select(m => m.Id));
    }

    [Fact]
    public void Merging_history_with_the_buffer_deduplicates_sorts_and_keeps_the_newest()
    {
        var ids = new MessageIdGenerator();
        var all = Enumerable.Range(0, 6).Select(_ => View("r", ids.NewId())).ToList();
        IReadOnlyList<MessageView> stored = [all[0], all[1], all[2], all[3]];
        IReadOnlyList<MessageView> buffered = [all[2], all[5], all[4], all[3]];

        Assert.Equal(all, JoinHistory.Merge(stored, buffered, keep: 10));
        Assert.Equal(all.TakeLast(3), JoinHistory.Merge(stored, buffered, keep: 3));
        Assert.Empty(JoinHistory.Merge([], [], keep: 50));
    }
}

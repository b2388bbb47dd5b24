using System.Text;
using Chat.Tests.Infrastructure;
using RabbitMQ.Client.Exceptions;

namespace Chat.Tests.Integration;

/// <summary>What reaches the history service's queue, and how it is stored: once, all of it, bad events aside.</summary>
[Collection(AppCollection.Name)]
public sealed class HistoryDeliveryTests(ChatAppFixture app)
{
    const string HistoryQueue = "chat-history";
    const string ErrorQueue = "chat-history_error";
    static readonly MessageIdGenerator Ids = new();

    static ChatMessage Message(string room, string text = "hello", string user = "alice") =>
        new(Ids.NewId(), room, user, text, DateTimeOffset.UtcNow);

    [Fact]
    public async Task The_history_queue_is_a_durable_quorum_queue()
    {
        await using var broker = await BrokerClient.ConnectAsync(app);

        // Redeclaring succeeds only when type and durability are the same as the existing queue's.
        await broker.DeclareAsync(HistoryQueue, new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        var classic = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
            broker.DeclareAsync(HistoryQueue, new Dictionary<string, object?> { ["x-queue-type"] = "classic" }));
        Assert.Contains("PRECONDITION_FAILED", classic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_delivered_twice_is_stored_once()
    {
        var room = Names.Room("twice");
        var message = Message(room);
        await using var broker = await BrokerClient.ConnectAsync(app);
        var errorsBefore = await broker.CountAsync(ErrorQueue);

        await broker.PublishAsync(message);
        await broker.PublishAsync(message);
        var marker = Message(room, "marker");
        await broker.PublishAsync(marker);

        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count == 2, TestTimeouts.Long, "both messages stored");
        Assert.Equal([message.Id, marker.Id], stored.Select(m => m.Id));
        Assert.Equal(errorsBefore, await broker.CountAsync(ErrorQueue));
    }

    [Fact]
    public async Task Ten_thousand_events_published_quickly_are_all_stored_once()
    {
        var room = Names.Room("burst");
        var messages = Enumerable.Range(0, 10_000).Select(i => Message(room, $"burst {i}")).ToList();
        await using var broker = await BrokerClient.ConnectAsync(app);

        await broker.PublishManyAsync(messages);

        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count >= messages.Count,
            TimeSpan.FromMinutes(3), "10,000 messages stored");
        Assert.Equal(messages.Select(m => m.Id).Order(), stored.Select(m => m.Id));
    }

    [Fact]
    public async Task Malformed_and_oversized_events_go_to_the_error_queue_and_do_not_block_the_queue()
    {
        var room = Names.Room("poison");
        await using var broker = await BrokerClient.ConnectAsync(app);
        var errorsBefore = await broker.CountAsync(ErrorQueue);
        var oversized = Message(room, new string('x', 100_000));
        var badRoom = Message("no room!");

        await broker.PublishAsync(Encoding.UTF8.GetBytes("{ this is not json"));
        await broker.PublishAsync(oversized);
        await broker.PublishAsync(badRoom);
        var good = Message(room, "still flowing");
        await broker.PublishAsync(good);

        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count > 0, TestTimeouts.Long, "the good message stored");
        Assert.Equal(good.Id, Assert.Single(stored).Id);
        await Eventually.UntilAsync(_ => broker.CountAsync(ErrorQueue), n => n >= errorsBefore + 3, TestTimeouts.Long, "three events in the error queue");
        await app.Logs.WaitForAsync(l => l.Resource == ChatAppFixture.History && l.Text.Contains("moved to the error queue", StringComparison.Ordinal)
            && l.Text.Contains("longer than 4000", StringComparison.Ordinal), TestTimeouts.Network);
    }
}

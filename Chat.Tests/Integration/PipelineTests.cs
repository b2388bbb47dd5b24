using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>One chat message travels the whole way: gateway, broker, the other gateway, history.</summary>
[Collection(AppCollection.Name)]
public sealed class PipelineTests(ChatAppFixture app)
{
    [Fact]
    public async Task Both_services_report_healthy()
    {
        var ct = TestContext.Current.CancellationToken;
        using var history = app.CreateHistoryClient();
        using var gateway = app.App.CreateHttpClient(ChatAppFixture.Gateway, "http");

        Assert.Equal("Healthy", await history.GetStringAsync("/health", ct).WaitAsync(TestTimeouts.Network, ct));
        Assert.Equal("Healthy", await gateway.GetStringAsync("/health", ct).WaitAsync(TestTimeouts.Network, ct));
        Assert.Equal("Healthy", await gateway.GetStringAsync("/alive", ct).WaitAsync(TestTimeouts.Network, ct));
    }

    [Fact]
    public async Task A_message_sent_on_one_replica_reaches_a_client_on_the_other()
    {
        var room = $"pipeline-{Guid.NewGuid():N}"[..30];
        var replicas = await app.GetGatewayReplicasAsync();
        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "alice"));
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: "bob"));
        Assert.NotEqual(alice.Node, bob.Node);

        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        var id = await alice.SendAcknowledgedAsync(room, "hello from the other replica");

        var received = await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString());
        Assert.Equal("alice", (string?)received["user"]);
        Assert.Equal(room, (string?)received["room"]);
        Assert.Equal("hello from the other replica", (string?)received["text"]);
        // The sender receives its own message too.
        await alice.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString());
    }

    [Fact]
    public async Task An_acknowledged_message_is_in_history_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var room = $"history-{Guid.NewGuid():N}"[..30];
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await alice.JoinAsync(room);
        var id = await alice.SendAcknowledgedAsync(room, "keep me");

        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), m => m.Count > 0, TestTimeouts.Network, "the message in history");
        var message = Assert.Single(stored);
        Assert.Equal(id, message.Id);
        Assert.Equal("keep me", message.Text);

        using var http = app.CreateHistoryClient();
        var page = await http.GetFromJsonAsync<MessagePage>($"/rooms/{room}/messages", JsonDefaults.Options, ct).WaitAsync(TestTimeouts.Network, ct);
        Assert.Equal(id, Assert.Single(page!.Messages).Id);
    }

    [Fact]
    public async Task Join_answers_with_the_rooms_history()
    {
        var room = $"joinhist-{Guid.NewGuid():N}"[..30];
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await alice.JoinAsync(room);
        var first = await alice.SendAcknowledgedAsync(room, "one");
        var second = await alice.SendAcknowledgedAsync(room, "two");

        await using var carol = await ChatClient.ConnectAsync(app.GatewaySocket(user: "carol"));
        var joined = await carol.JoinAsync(room);

        var ids = joined["history"]!.AsArray().Select(m => Guid.Parse((string)m!["id"]!)).ToList();
        Assert.Equal([first, second], ids);
        Assert.Null(joined["historyComplete"]);
    }

    [Fact]
    public async Task An_unreadable_event_on_the_fanout_is_logged_by_every_replica_and_live_delivery_goes_on()
    {
        var room = Names.Room("fanout-poison");
        var replicas = await app.GetGatewayReplicaDetailsAsync();
        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0].Address, user: "alice"));
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1].Address, user: "bob"));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        await using var broker = await BrokerClient.ConnectAsync(app);
        var poisonId = Guid.NewGuid().ToString();
        var incompleteId = new MessageIdGenerator().NewId();
        var raw = new ChatMessage(new MessageIdGenerator().NewId(), room, "dave", "after the poison", DateTimeOffset.UtcNow);

        await broker.PublishAsync("{ not a chat message"u8.ToArray(), new RabbitMQ.Client.BasicProperties { ContentType = "application/json", MessageId = poisonId });
        await broker.PublishAsync(System.Text.Encoding.UTF8.GetBytes($$"""{"id":"{{incompleteId}}","room":"{{room}}"}"""),
            new RabbitMQ.Client.BasicProperties { ContentType = "application/json", MessageId = incompleteId.ToString() });
        await broker.PublishAsync(raw);

        // Both replicas go on delivering: the next message is the valid one.
        foreach (var client in new[] { alice, bob })
        {
            var first = await client.WaitForAsync(f => (string?)f["type"] == "message");
            Assert.Equal(raw.Id.ToString(), (string)first["id"]!);
            Assert.Equal("after the poison", (string?)first["text"]);
        }

        foreach (var replica in replicas)
        {
            var unreadable = await app.Logs.WaitForAsync(l => l.ResourceId == replica.ResourceId && l.Text.Contains($"Dropped message {poisonId}", StringComparison.Ordinal), TestTimeouts.Long);
            Assert.Contains("from chat-message-", unreadable.Text, StringComparison.Ordinal);
            var incomplete = await app.Logs.WaitForAsync(l => l.ResourceId == replica.ResourceId && l.Text.Contains($"Dropped message {incompleteId}", StringComparison.Ordinal), TestTimeouts.Long);
            Assert.Contains("id, room, user or text missing", incomplete.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_replica_whose_fanout_queue_is_deleted_declares_it_again_and_delivers_on()
    {
        var room = Names.Room("queue-deleted");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, "alice", "bob");
        var (alice, bob) = clients;
        await using var broker = await BrokerClient.ConnectAsync(app);
        var queue = "chat-message-" + bob.Node; // the name of bob's replica's fanout endpoint
        Assert.Equal(1u, await broker.ConsumersAsync(queue));

        await broker.DeleteQueueAsync(queue);

        await Eventually.UntilAsync(_ => broker.ConsumersAsync(queue), consumers => consumers == 1, TestTimeouts.Long, $"{queue} declared and consumed again");
        var id = await alice.SendAcknowledgedAsync(room, "after the queue came back");
        var received = await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString());
        Assert.Equal("after the queue came back", (string?)received["text"]);
    }

    [Fact]
    public async Task Every_delivery_to_the_replicas_is_acknowledged_to_the_broker_once_the_traffic_stops()
    {
        // The replicas send their acknowledgements in runs; a run shorter than the batch must still go out.
        var room = Names.Room("acks");
        var messages = Enumerable.Range(0, 1_000).Select(i => new ChatMessage(Guid.CreateVersion7(), room, "alice", $"ack {i}", DateTimeOffset.UtcNow)).ToList();
        await using var broker = await BrokerClient.ConnectAsync(app);
        var ctl = BrokerCtl.For(app);
        var node = $"{ChatAppFixture.Messaging}@localhost";

        await broker.PublishManyAsync(messages);

        var backlog = await Eventually.UntilAsync(_ => ctl.BacklogAsync(node, "chat-message-"),
            queues => queues.Count == 2 && queues.All(q => q.Ready == 0 && q.Unacknowledged == 0), TestTimeouts.Long,
            "both replicas' fanout queues empty and nothing unacknowledged");
        Assert.Equal(2, backlog.Count);
    }
}

using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Chat.Tests.Faults;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Chat.Tests.Cluster;

/// <summary>The app on a cluster of three RabbitMQ nodes: the cluster as the AppHost forms it, and the protocol through it.</summary>
[Collection(BrokerClusterCollection.Name)]
public sealed class BrokerClusterTests(BrokerClusterFixture app, ITestOutputHelper output)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static bool IsMessage(JsonObject frame, Guid id) => (string?)frame["type"] == "message" && (string?)frame["id"] == id.ToString();

    async Task<(ChatClient Alice, ChatClient Bob)> OnBothReplicasAsync(string room)
    {
        var replicas = await app.GetGatewayReplicasAsync();
        var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: Names.User("alice")));
        var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: Names.User("bob")));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        return (alice, bob);
    }

    [Fact]
    public async Task The_cluster_runs_every_node_and_chat_history_is_a_quorum_queue_with_a_member_on_each()
    {
        var ctl = BrokerCtl.For(app);
        var asked = BrokerClusterFixture.NodeNames[0];

        Assert.Equal(BrokerClusterFixture.NodeNames, await ctl.RunningNodesAsync(asked));
        var history = await ctl.QueueAsync(asked, "chat-history");
        Assert.NotNull(history);
        Assert.Equal("quorum", history.Type);
        Assert.Equal(BrokerClusterFixture.NodeNames, history.Members);
        Assert.Equal(BrokerClusterFixture.NodeNames, history.Online);

        // Each gateway's own queues are quorum queues on every node too, so they survive the loss of any one.
        var instanceQueues = await ctl.QueuesAsync(asked, "chat-message-");
        Assert.Equal(2, instanceQueues.Count);
        Assert.All(instanceQueues, q =>
        {
            Assert.Equal("quorum", q.Type);
            Assert.Equal(BrokerClusterFixture.NodeNames, q.Members);
        });
        Figures.Record(output, nameof(The_cluster_runs_every_node_and_chat_history_is_a_quorum_queue_with_a_member_on_each), history.ToString());
    }

    [Fact]
    public async Task The_connection_string_lists_every_node_with_the_brokers_own_user()
    {
        var connectionString = await app.App.GetConnectionStringAsync(ChatAppFixture.Messaging, Ct).AsTask().WaitAsync(TestTimeouts.Network, Ct);

        var broker = BrokerConnectionString.Parse(connectionString!);
        Assert.Equal(BrokerClusterFixture.NodeCount, broker.Nodes.Count);
        Assert.Equal(BrokerClusterFixture.NodeCount, broker.Nodes.Select(n => n.Port).Distinct().Count());
        Assert.All(broker.Nodes, n => Assert.StartsWith("chat:", n.UserInfo, StringComparison.Ordinal));
        Assert.DoesNotContain("guest", connectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_gateway_delivers_the_others_messages_through_the_cluster()
    {
        var room = Names.Room("cluster");
        var (alice, bob) = await OnBothReplicasAsync(room);
        await using (alice)
        await using (bob)
        {
            await alice.SendJsonAsync(new { type = "send", room, text = "from alice", @ref = "a1" });
            var ack = await alice.WaitForAsync(f => (string?)f["type"] == "ack" && (string?)f["ref"] == "a1");
            Assert.True(MessageIds.TryParse((string?)ack["id"], out var fromAlice));
            var message = await bob.WaitForAsync(f => IsMessage(f, fromAlice));
            Assert.Equal((string?)ack["sentAt"], (string?)message["sentAt"]);

            var fromBob = await bob.SendAcknowledgedAsync(room, "from bob");
            await alice.WaitForAsync(f => IsMessage(f, fromBob));
        }
    }

    [Fact]
    public async Task Join_answers_the_rooms_history_stored_through_the_cluster()
    {
        var room = Names.Room("clusterhistory");
        var (alice, bob) = await OnBothReplicasAsync(room);
        await using (alice)
        await using (bob)
        {
            var sent = new List<Guid>();
            for (var i = 0; i < 5; i++)
            {
                sent.Add(await (i % 2 == 0 ? alice : bob).SendAcknowledgedAsync(room, $"m{i}"));
            }

            await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count == sent.Count, TestTimeouts.Long, "5 messages stored");
            await using var carol = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("carol")));
            var joined = await carol.JoinAsync(room);

            Assert.Equal(sent.Order(), joined["history"]!.AsArray().Select(m => Guid.Parse((string)m!["id"]!)));
            Assert.Null(joined["historyComplete"]);
        }
    }

    [Fact]
    public async Task Users_on_different_gateways_see_each_other_arrive_through_the_cluster()
    {
        var room = Names.Room("clusterpresence");
        var replicas = await app.GetGatewayReplicasAsync();
        var (alice, bob, carol) = (Names.User("alice"), Names.User("bob"), Names.User("carol"));
        await using var c = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: carol));
        await c.JoinAsync(room);
        await using var a = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: alice));
        await a.JoinAsync(room);
        // Presence crosses instances within PROTOCOL.md's 2 s: once carol sees alice, bob's replica knows her.
        await c.WaitForAsync(f => (string?)f["type"] == "presence" && (string?)f["user"] == alice && (string?)f["status"] == "joined");
        await using var b = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: bob));

        var joined = await b.JoinAsync(room);

        Assert.Equal(new[] { alice, bob, carol }.Order(StringComparer.Ordinal), joined["members"]!.AsArray().Select(m => (string)m!));
        await a.WaitForAsync(f => (string?)f["type"] == "presence" && (string?)f["user"] == bob && (string?)f["status"] == "joined");
    }
}

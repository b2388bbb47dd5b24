using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary><c>join</c> with <c>since</c>: recovery after a reconnect, without gaps.</summary>
[Collection(AppCollection.Name)]
public sealed class RecoveryTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_client_that_reconnects_recovers_every_message_sent_on_the_other_replica_meanwhile()
    {
        var room = Names.Room("recover");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: "bob"));
        await bob.JoinAsync(room);
        Guid lastSeen;
        await using (var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "alice")))
        {
            await alice.JoinAsync(room);
            lastSeen = await bob.SendAcknowledgedAsync(room, "before");
            await alice.WaitForAsync(f => (string?)f["id"] == lastSeen.ToString() && (string?)f["type"] == "message");
        }

        var missed = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            missed.Add(await bob.SendAcknowledgedAsync(room, $"while away {i}"));
        }

        // Reconnect at once: some of the missed messages may not be stored by history yet; the buffer has them.
        await using var again = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "alice"));
        var joined = await again.JoinAsync(room, since: lastSeen.ToString());

        var recovered = joined["history"]!.AsArray().Select(m => Guid.Parse((string)m!["id"]!)).ToList();
        Assert.Equal(recovered.Order(), recovered);
        Assert.Equal(recovered.Distinct(), recovered);
        Assert.Superset(missed.ToHashSet(), recovered.ToHashSet());
        Assert.Null(joined["historyComplete"]);
    }

    [Fact]
    public async Task Recovery_includes_messages_not_yet_stored_by_history()
    {
        // Sent and recovered back to back, so history has had no time to commit some of them: the gateway's buffer
        // (every gateway consumes every message) fills the gap.
        var room = Names.Room("gap");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: "bob"));
        await bob.JoinAsync(room);
        var first = await bob.SendAcknowledgedAsync(room, "first");
        var burst = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            burst.Add(await bob.SendAcknowledgedAsync(room, $"burst {i}"));
        }

        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "alice"));
        var joined = await alice.JoinAsync(room, since: first.ToString());

        var ids = joined["history"]!.AsArray().Select(m => Guid.Parse((string)m!["id"]!)).ToHashSet();
        Assert.Superset(burst.ToHashSet(), ids);
    }

    [Fact]
    public async Task Live_messages_after_join_are_not_lost_or_doubled()
    {
        var room = Names.Room("live");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: "bob"));
        await bob.JoinAsync(room);
        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "alice"));

        // Bob sends while alice joins: each message reaches alice once, in joined.history or live after it.
        var sending = Task.Run(async () =>
        {
            var ids = new List<Guid>();
            for (var i = 0; i < 20; i++)
            {
                ids.Add(await bob.SendAcknowledgedAsync(room, $"during join {i}"));
            }

            return ids;
        });
        var joined = await alice.JoinAsync(room);
        var sent = await sending.WaitAsync(TestTimeouts.Long, TestContext.Current.CancellationToken);
        if (!joined["history"]!.AsArray().Any(m => (string?)m!["id"] == sent[^1].ToString()))
        {
            await alice.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == sent[^1].ToString());
        }

        var seen = joined["history"]!.AsArray().Select(m => (string)m!["id"]!)
            .Concat(alice.ReceivedSoFar().Where(f => f.Contains("\"type\":\"message\"", StringComparison.Ordinal))
                .Select(f => (string)System.Text.Json.Nodes.JsonNode.Parse(f)!["id"]!))
            .ToList();
        Assert.All(sent, id => Assert.Single(seen, s => s == id.ToString()));
        var indexOfJoined = Array.FindIndex(alice.ReceivedSoFar(), f => f.Contains("\"type\":\"joined\"", StringComparison.Ordinal));
        Assert.DoesNotContain(alice.ReceivedSoFar().Take(indexOfJoined), f => f.Contains("\"type\":\"message\"", StringComparison.Ordinal));
    }
}

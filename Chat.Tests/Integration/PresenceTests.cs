using System.Text;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>PROTOCOL.md v1.1's Presence and Typing across the two gateway replicas.</summary>
[Collection(AppCollection.Name)]
public sealed class PresenceTests(ChatAppFixture app)
{
    static bool IsPresence(JsonObject f, string user, string status) =>
        (string?)f["type"] == "presence" && (string?)f["user"] == user && (string?)f["status"] == status;

    static IReadOnlyList<string> Members(JsonObject joined) => [.. joined["members"]!.AsArray().Select(m => (string)m!)];

    async Task<ChatClient> OnReplicaAsync(int replica, string user)
    {
        var replicas = await app.GetGatewayReplicasAsync();
        return await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[replica], user: user));
    }

    /// <summary>A message from <paramref name="sender"/> that <paramref name="observer"/> receives: everything sent before it has arrived.</summary>
    static async Task MarkAsync(ChatClient sender, ChatClient observer, string room)
    {
        var id = await sender.SendAcknowledgedAsync(room, "marker");
        await observer.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString());
    }

    [Fact]
    public async Task Users_on_different_replicas_see_each_other_arrive_and_leave_and_joined_lists_the_members()
    {
        var room = Names.Room("presence");
        var (alice, bob, carol) = (Names.User("alice"), Names.User("bob"), Names.User("carol"));
        await using var c = await OnReplicaAsync(1, carol);
        Assert.Equal([carol], Members(await c.JoinAsync(room)));
        await using var a = await OnReplicaAsync(0, alice);
        await a.JoinAsync(room);
        // Presence crosses instances within PROTOCOL.md's 2 s: once carol sees alice, bob's replica knows her.
        await c.WaitForAsync(f => IsPresence(f, alice, "joined") && (string?)f["room"] == room);

        await using var b = await OnReplicaAsync(1, bob);
        var joined = await b.JoinAsync(room);
        Assert.Equal(new[] { alice, bob, carol }.Order(StringComparer.Ordinal), Members(joined));
        await a.WaitForAsync(f => IsPresence(f, bob, "joined") && (string?)f["room"] == room);

        await b.SendJsonAsync(new { type = "leave", room });
        await a.WaitForAsync(f => IsPresence(f, bob, "left") && (string?)f["room"] == room);
        Assert.DoesNotContain(b.ReceivedSoFar(), f => f.Contains("\"type\":\"presence\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_users_second_connection_makes_no_frame_and_only_closing_the_last_one_says_left()
    {
        var room = Names.Room("tabs");
        var (alice, observer) = (Names.User("alice"), Names.User("carol"));
        await using var watcher = await OnReplicaAsync(1, observer);
        await watcher.JoinAsync(room);
        var tab1 = await OnReplicaAsync(0, alice);
        await tab1.JoinAsync(room);
        await watcher.WaitForAsync(f => IsPresence(f, alice, "joined"));

        var tab2 = await OnReplicaAsync(1, alice);
        Assert.Contains(alice, Members(await tab2.JoinAsync(room)));
        await tab2.DisposeAsync();
        await MarkAsync(tab1, watcher, room);
        Assert.Single(watcher.ReceivedSoFar(), f => f.Contains("\"type\":\"presence\"", StringComparison.Ordinal));

        await tab1.DisposeAsync();
        await watcher.WaitForAsync(f => IsPresence(f, alice, "left"));
    }

    [Fact]
    public async Task Typing_reaches_the_other_users_on_both_replicas_but_not_the_typists_own_connections()
    {
        var room = Names.Room("typing");
        var (alice, bob) = (Names.User("alice"), Names.User("bob"));
        await using var typist = await OnReplicaAsync(0, alice);
        await using var otherTab = await OnReplicaAsync(1, alice);
        await using var here = await OnReplicaAsync(0, bob);
        await using var there = await OnReplicaAsync(1, Names.User("dave"));
        foreach (var client in new[] { typist, otherTab, here, there })
        {
            await client.JoinAsync(room);
        }

        await typist.SendJsonAsync(new { type = "typing", room });

        foreach (var other in new[] { here, there })
        {
            var typing = await other.WaitForAsync(f => (string?)f["type"] == "typing");
            Assert.Equal((room, alice), ((string?)typing["room"], (string?)typing["user"]));
        }

        await MarkAsync(here, otherTab, room);
        await MarkAsync(here, typist, room);
        Assert.DoesNotContain(otherTab.ReceivedSoFar().Concat(typist.ReceivedSoFar()), f => f.Contains("\"type\":\"typing\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Typing_more_than_once_a_second_is_dropped_without_an_answer_and_costs_no_message_rate()
    {
        var room = Names.Room("typing-rate");
        await using var typist = await OnReplicaAsync(0, Names.User("alice"));
        await using var watcher = await OnReplicaAsync(1, Names.User("bob"));
        await typist.JoinAsync(room);
        await watcher.JoinAsync(room);

        for (var i = 0; i < 60; i++)
        {
            await typist.SendJsonAsync(new { type = "typing", room });
        }

        // Far more than the burst of 40 typing frames, yet sends are not rate limited; and no answer to any of them.
        for (var i = 0; i < 30; i++)
        {
            await typist.SendAcknowledgedAsync(room, $"m{i}");
        }

        await MarkAsync(typist, watcher, room);
        Assert.InRange(watcher.ReceivedSoFar().Count(f => f.Contains("\"type\":\"typing\"", StringComparison.Ordinal)), 1, 2);
        Assert.DoesNotContain(typist.ReceivedSoFar(), f => f.Contains("\"type\":\"error\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not joined", "not_joined")]
    [InlineData("bad room!", "invalid_room")]
    public async Task Typing_in_a_room_not_joined_or_invalid_is_answered_with_an_error(string kind, string code)
    {
        await using var alice = await OnReplicaAsync(0, Names.User("alice"));
        var room = kind == "not joined" ? Names.Room("elsewhere") : "bad room!";

        await alice.SendJsonAsync(new { type = "typing", room, @ref = "t1" });

        var error = await alice.WaitForAsync(f => (string?)f["type"] == "error");
        Assert.Equal((code, "t1"), ((string?)error["code"], (string?)error["ref"]));
    }

    [Fact]
    public async Task The_2013_clients_are_members_of_the_lobby_and_receive_no_presence_frames()
    {
        var user = Names.User("old");
        await using var watcher = await OnReplicaAsync(1, Names.User("new"));
        await watcher.JoinAsync(ChatRules.DefaultRoom);
        var replicas = await app.GetGatewayReplicasAsync();
        await using var plain = await ChatClient.ConnectRawAsync(ChatAppFixture.ReplicaSocket(replicas[0], "/websocket", user));

        await watcher.WaitForAsync(f => IsPresence(f, user, "joined") && (string?)f["room"] == ChatRules.DefaultRoom);
        await using var late = await OnReplicaAsync(0, Names.User("late"));
        Assert.Contains(user, Members(await late.JoinAsync(ChatRules.DefaultRoom)));
        await late.SendAcknowledgedAsync(ChatRules.DefaultRoom, "hello 2013");
        await plain.WaitForLineAsync(l => l.EndsWith(": hello 2013", StringComparison.Ordinal));
        Assert.DoesNotContain(plain.ReceivedSoFar(), l => l.Contains("presence", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forged_presence_and_typing_events_on_the_broker_are_logged_and_dropped_by_every_replica_which_go_on()
    {
        var room = Names.Room("forged");
        var (alice, bob) = (Names.User("alice"), Names.User("bob"));
        var replicas = await app.GetGatewayReplicaDetailsAsync();
        await using var a = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0].Address, user: alice));
        await a.JoinAsync(room);
        await using var broker = await BrokerClient.ConnectAsync(app);
        (string Exchange, string Body)[] forged =
        [
            ("Chat.Contracts:PresenceUpdate", "{ not presence"),
            ("Chat.Contracts:PresenceUpdate", $$"""{"instance":"forger","node":"forger","kind":"joined","members":[{"room":"{{room}}","user":"mallory!"}]}"""),
            ("Chat.Contracts:PresenceUpdate", """{"instance":"forger","node":"forger","kind":"takeover"}"""),
            ("Chat.Contracts:TypingIndicator", "[1, 2"),
            ("Chat.Contracts:TypingIndicator", $$"""{"room":"{{room}}","user":"","node":"forger"}"""),
        ];
        var ids = new List<string>();
        foreach (var (exchange, body) in forged)
        {
            var id = Guid.NewGuid().ToString();
            ids.Add(id);
            await broker.PublishAsync(Encoding.UTF8.GetBytes(body), new RabbitMQ.Client.BasicProperties { ContentType = "application/json", MessageId = id }, exchange);
        }

        foreach (var replica in replicas)
        {
            foreach (var id in ids)
            {
                await app.Logs.WaitForAsync(l => l.ResourceId == replica.ResourceId && l.Text.Contains("Dropped", StringComparison.Ordinal)
                    && l.Text.Contains(id, StringComparison.Ordinal), TestTimeouts.Long);
            }
        }

        // Both replicas still run presence and typing, and the forged member is nobody's.
        await using var b = await OnReplicaAsync(1, bob);
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), Members(await b.JoinAsync(room)));
        await a.WaitForAsync(f => IsPresence(f, bob, "joined"));
        await b.SendJsonAsync(new { type = "typing", room });
        await a.WaitForAsync(f => (string?)f["type"] == "typing" && (string?)f["user"] == bob);
        Assert.DoesNotContain(a.ReceivedSoFar(), f => f.Contains("mallory", StringComparison.Ordinal));
    }
}

using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>
/// Faults under load through the real app: each test drives traffic while the fault happens and ends by comparing
/// the acknowledged message ids with history: every one stored, exactly once.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class FaultTests(FaultFixture app, ITestOutputHelper output)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>History holds every acknowledged id, each once.</summary>
    async Task AssertStoredExactlyOnceAsync(string room, IEnumerable<Guid> acknowledged, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var expected = acknowledged.ToHashSet();
        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => expected.IsSubsetOf(h.Select(m => m.Id)),
            TimeSpan.FromMinutes(2), $"{expected.Count} acknowledged messages in history");
        Assert.Equal(stored.Count, stored.Select(m => m.Id).Distinct().Count());
        Assert.Superset(expected, stored.Select(m => m.Id).ToHashSet());
        Figures.Record(output, test, $"{expected.Count} acknowledged, {stored.Count} stored, {stored.Count - stored.Select(m => m.Id).Distinct().Count()} duplicates");
    }

    /// <summary>Which acknowledged ids a recovery missed: when each was accepted, and whether history holds it now.</summary>
    async Task<string> DescribeMissingAsync(string room, IReadOnlySet<Guid> expected, IReadOnlySet<Guid> recovered, System.Text.Json.Nodes.JsonNode joined, DateTimeOffset joinedAt)
    {
        var stored = (await app.GetHistoryAsync(room, Ct)).Select(m => m.Id).ToHashSet();
        var missing = expected.Where(id => !recovered.Contains(id)).Order().ToList();
        var described = missing.Select(id =>
            $"{id} (accepted {(joinedAt - MessageIds.GetTimestamp(id)).TotalMilliseconds:0} ms before the join, in history now: {stored.Contains(id)})");
        return $"joined.history (historyComplete: {joined["historyComplete"]?.ToJsonString() ?? "absent"}) lacked {missing.Count} of the "
            + $"{expected.Count} acknowledged messages the client missed: {string.Join("; ", described)}";
    }

    async Task RestoreGatewaysAsync(GatewayReplica stopped)
    {
        await app.ExecuteCommandAsync(stopped.ResourceId, "resource-start");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TestTimeouts.Long);
        await app.WaitUntilHealthyAsync(cts.Token); // each restarted replica asked itself, too
    }

    [Fact]
    public async Task A_send_the_broker_confirms_too_late_is_answered_unavailable_with_its_id_and_a_retry_under_it_arrives_and_is_stored_once()
    {
        var room = Names.Room("late");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, "alice", "bob");
        var (alice, bob) = clients;
        // A first publish declares what a gateway publishes to: later ones go straight to the socket.
        var before = await alice.SendAcknowledgedAsync(room, "before the broker hung");

        // The broker hangs (SIGSTOP) with the publish in its socket: no confirm within Gateway:PublishTimeout.
        var broker = await app.FindProcessAsync(ChatAppFixture.Messaging, "beam.smp");
        JsonObject answer;
        Signals.Send(broker, Signals.Stop);
        try
        {
            await alice.SendJsonAsync(new { type = "send", room, text = "said while the broker hung", @ref = "first" });
            answer = await alice.WaitForAsync(f => (string?)f["ref"] == "first", TestTimeouts.Long);
        }
        finally
        {
            Signals.Send(broker, Signals.Continue);
        }

        Assert.Equal("error", (string?)answer["type"]);
        Assert.Equal("unavailable", (string?)answer["code"]);
        Assert.True(MessageIds.TryParse((string?)answer["id"], out var id), $"unavailable carries the message's id: {answer.ToJsonString()}");

        // Running again, the broker takes that publish after all: the message arrives under the id the error named.
        var late = await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString(), TestTimeouts.Long);

        // The client, not knowing, retries under that id: acknowledged as the same message, not a second one.
        await alice.SendJsonAsync(new { type = "send", room, text = "said while the broker hung", @ref = "again", retryOf = id.ToString() });
        var ack = await alice.WaitForAsync(f => (string?)f["ref"] == "again", TestTimeouts.Long);
        Assert.Equal("ack", (string?)ack["type"]);
        Assert.Equal(id.ToString(), (string?)ack["id"]);
        Assert.Equal((string?)late["sentAt"], (string?)ack["sentAt"]);

        // A message sent after the retry's ack reaches bob after any copy the retry caused (one publisher, one queue
        // per gateway, consumed in order): once he has it, each of them has seen the message exactly once.
        var after = await alice.SendAcknowledgedAsync(room, "after the retry");
        await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == after.ToString(), TestTimeouts.Long);
        await alice.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == after.ToString(), TestTimeouts.Long);
        Assert.Equal(1, CountMessages(bob, id));
        Assert.Equal(1, CountMessages(alice, id));
        await AssertStoredExactlyOnceAsync(room, [before, id, after]);
        var stored = await app.GetHistoryAsync(room, Ct);
        Assert.Equal(["before the broker hung", "said while the broker hung", "after the retry"], stored.Select(m => m.Text));
    }

    static int CountMessages(ChatClient client, Guid id) => client.ReceivedMessageIds().Count(received => received == id);

    [Fact]
    public async Task A_broker_restart_under_load_loses_nothing_and_sends_fail_fast_then_succeed()
    {
        var room = Names.Room("broker");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, "alice", "bob");
        var (alice, bob) = clients;
        await using var fromAlice = new Traffic(alice, room, "alice");
        await using var fromBob = new Traffic(bob, room, "bob");
        await fromAlice.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);

        var outage = System.Diagnostics.Stopwatch.StartNew();
        await app.ExecuteCommandAsync(ChatAppFixture.Messaging, "resource-restart");
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(ChatAppFixture.Messaging, WaitBehavior.WaitOnResourceUnavailable, Ct).WaitAsync(TestTimeouts.Long, Ct);
        var restart = outage.Elapsed;
        // Gateways and history reconnect by themselves: sends are acknowledged again.
        await fromAlice.WaitForMoreAcknowledgedAsync(20, TimeSpan.FromMinutes(2));
        await fromBob.WaitForMoreAcknowledgedAsync(20, TimeSpan.FromMinutes(2));
        await fromAlice.StopAsync();
        await fromBob.StopAsync();

        // Each gateway consumes the fanout again: a message from either replica reaches the other.
        var fromAliceAfter = await alice.SendAcknowledgedAsync(room, "after the restart, from alice");
        await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == fromAliceAfter.ToString(), TestTimeouts.Long);
        var fromBobAfter = await bob.SendAcknowledgedAsync(room, "after the restart, from bob");
        await alice.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == fromBobAfter.ToString(), TestTimeouts.Long);

        // During the outage sends were answered unavailable (each within the client's timeout: none hung).
        Assert.Contains("unavailable", fromAlice.Errors.Concat(fromBob.Errors));
        Assert.All(fromAlice.Errors.Concat(fromBob.Errors), code => Assert.Equal("unavailable", code));
        Figures.Record(output, nameof(A_broker_restart_under_load_loses_nothing_and_sends_fail_fast_then_succeed),
            $"broker down and back in {restart.TotalSeconds:0.0} s; sends during the run: {fromAlice.Acknowledged.Count + fromBob.Acknowledged.Count} acknowledged, {fromAlice.Errors.Count + fromBob.Errors.Count} answered unavailable during the outage");
        await AssertStoredExactlyOnceAsync(room, fromAlice.Acknowledged.Concat(fromBob.Acknowledged).Append(fromAliceAfter).Append(fromBobAfter));
    }

    [Fact]
    public async Task Messages_acknowledged_while_history_is_down_survive_a_broker_restart()
    {
        // What an acknowledgement promises: the broker holds the message durably until history stored it. The
        // gateway publishes non-persistent messages (the gateways' own queues need no disk), and history's queue is a
        // quorum queue, which writes every message to its log whatever its delivery mode: this holds it to that.
        var room = Names.Room("brokerwait");
        await using var bob = await ChatClient.ConnectAsync(app.GatewaySocket(user: "bob"));
        await bob.JoinAsync(room);
        await app.TerminateAsync(ChatAppFixture.History, "Chat.History");
        var acknowledged = new List<Guid>();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                acknowledged.Add(await bob.SendAcknowledgedAsync(room, $"waiting for history {i}"));
            }

            await app.ExecuteCommandAsync(ChatAppFixture.Messaging, "resource-restart");
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync(ChatAppFixture.Messaging, WaitBehavior.WaitOnResourceUnavailable, Ct).WaitAsync(TestTimeouts.Long, Ct);
        }
        finally
        {
            await app.ExecuteCommandAsync(ChatAppFixture.History, "resource-start");
        }

        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(ChatAppFixture.History, WaitBehavior.WaitOnResourceUnavailable, Ct).WaitAsync(TestTimeouts.Long, Ct);
        await AssertStoredExactlyOnceAsync(room, acknowledged);
    }

    [Fact]
    public async Task While_history_is_down_messages_wait_for_it_and_join_answers_from_the_gateway_buffer()
    {
        var room = Names.Room("nohistory");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: "bob"));
        await bob.JoinAsync(room);
        await using var watcher = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "walt"));
        await watcher.JoinAsync(room);
        // 20 a second: a join that waits for history holds what arrives meanwhile, within the outbox's 256 frames.
        await using var traffic = new Traffic(bob, room, "bob", perSecond: 20);
        await traffic.WaitForMoreAcknowledgedAsync(10, TestTimeouts.Long);
        // Carol's replica consumes the fanout (after an earlier test's broker restart its endpoint may still be reconnecting).
        await watcher.WaitForAsync(f => (string?)f["type"] == "message", TestTimeouts.Long);

        await app.TerminateAsync(ChatAppFixture.History, "Chat.History");
        try
        {
            await traffic.WaitForMoreAcknowledgedAsync(50, TestTimeouts.Long);
            await using var carol = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "carol"));
            var joined = await carol.JoinAsync(room);

            Assert.False((bool?)joined["historyComplete"]);
            Assert.NotEmpty(joined["history"]!.AsArray());
            Figures.Record(output, nameof(While_history_is_down_messages_wait_for_it_and_join_answers_from_the_gateway_buffer), $"join while history was down: historyComplete false with {joined["history"]!.AsArray().Count} messages from the gateway's buffer");
        }
        finally
        {
            await app.ExecuteCommandAsync(ChatAppFixture.History, "resource-start");
        }

        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(ChatAppFixture.History, WaitBehavior.WaitOnResourceUnavailable, Ct).WaitAsync(TestTimeouts.Long, Ct);
        await traffic.WaitForMoreAcknowledgedAsync(10, TestTimeouts.Long);
        await traffic.StopAsync();

        Assert.Empty(traffic.Errors);
        await AssertStoredExactlyOnceAsync(room, traffic.Acknowledged);
        // Once history answers again, join is complete again (the circuit closes after its break).
        await Eventually.UntilAsync(async _ =>
        {
            await using var dave = await ChatClient.ConnectAsync(app.GatewaySocket(user: "dave"));
            return (await dave.JoinAsync(room))["historyComplete"] is null;
        }, complete => complete, TestTimeouts.Long, "a complete join");
    }

    [Fact]
    public async Task History_killed_mid_batch_stores_every_acknowledged_message_once_after_it_restarts()
    {
        // SIGKILL while messages are consumed: some are committed but not yet acknowledged to the broker. They are
        // delivered again after the restart, and the insert that ignores a stored id makes that a no-op.
        var room = Names.Room("crash");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: "bob"));
        await bob.JoinAsync(room);
        await using var traffic = new Traffic(bob, room, "bob", perSecond: 100);
        await traffic.WaitForMoreAcknowledgedAsync(100, TestTimeouts.Long);

        await app.TerminateAsync(ChatAppFixture.History, "Chat.History", Signals.Kill);
        await traffic.WaitForMoreAcknowledgedAsync(50, TestTimeouts.Long);
        await app.ExecuteCommandAsync(ChatAppFixture.History, "resource-start");
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(ChatAppFixture.History, WaitBehavior.WaitOnResourceUnavailable, Ct).WaitAsync(TestTimeouts.Long, Ct);
        await traffic.WaitForMoreAcknowledgedAsync(50, TestTimeouts.Long);
        await traffic.StopAsync();

        Assert.Empty(traffic.Errors);
        await AssertStoredExactlyOnceAsync(room, traffic.Acknowledged);
    }

    [Fact]
    public async Task Clients_of_a_killed_replica_reconnect_to_the_other_and_recover_what_they_missed()
    {
        var room = Names.Room("killed");
        var replicas = await app.GetGatewayReplicaDetailsAsync();
        var (victim, survivor) = (replicas[0], replicas[1]);
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(survivor.Address, user: "bob"));
        await bob.JoinAsync(room);
        await using var traffic = new Traffic(bob, room, "bob");
        Guid lastSeen;
        try
        {
            await using (var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(victim.Address, user: "alice")))
            {
                await alice.JoinAsync(room);
                var seen = await alice.WaitForAsync(f => (string?)f["type"] == "message", TestTimeouts.Long);
                lastSeen = Guid.Parse((string)seen["id"]!);

                Signals.Send(victim.ProcessId, Signals.Kill);
                await alice.Closed.WaitAsync(TestTimeouts.Network, Ct);
            }

            await traffic.WaitForMoreAcknowledgedAsync(30, TestTimeouts.Long);
            await traffic.StopAsync();
            var missed = traffic.Acknowledged.Where(id => id.CompareTo(lastSeen) > 0).ToHashSet();

            // Reconnect through the proxy: it may still pick the dead replica, so try a few times.
            ChatClient? again = null;
            for (var attempt = 0; again is null && attempt < 20; attempt++)
            {
                try
                {
                    again = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
                }
                catch (WebSocketException)
                {
                }
            }

            Assert.NotNull(again);
            await using (again)
            {
                await using var probe = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(survivor.Address));
                Assert.Equal(probe.Node, again.Node);
                var joinedAt = DateTimeOffset.UtcNow;
                var joined = await again.JoinAsync(room, since: lastSeen.ToString());

                var recovered = joined["history"]!.AsArray().Select(m => Guid.Parse((string)m!["id"]!)).ToHashSet();
                Assert.NotEmpty(missed);
                if (!recovered.IsSupersetOf(missed))
                {
                    // This has failed now and then (docs/reliability.md); say which were missing and whether history has them now.
                    Assert.Fail(await DescribeMissingAsync(room, missed, recovered, joined, joinedAt));
                }

                Figures.Record(output, nameof(Clients_of_a_killed_replica_reconnect_to_the_other_and_recover_what_they_missed), $"{missed.Count} messages sent while the client was away, all in joined.history after join with since");
            }

            await AssertStoredExactlyOnceAsync(room, traffic.Acknowledged);
        }
        finally
        {
            await RestoreGatewaysAsync(victim);
        }
    }

    [Fact]
    public async Task Sigterm_closes_a_gateways_sockets_with_1001_after_finishing_in_flight_publishes()
    {
        var room = Names.Room("sigterm");
        var replicas = await app.GetGatewayReplicaDetailsAsync();
        var (victim, survivor) = (replicas[0], replicas[1]);
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(survivor.Address, user: "bob"));
        await bob.JoinAsync(room);
        try
        {
            await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(victim.Address, user: "alice"));
            await alice.JoinAsync(room);
            for (var i = 0; i < 50; i++)
            {
                await alice.SendJsonAsync(new { type = "send", room, text = $"in flight {i}", @ref = $"f{i}" });
            }

            Signals.Send(victim.ProcessId, Signals.Terminate);

            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await alice.Closed.WaitAsync(TestTimeouts.Long, Ct));
            var acknowledged = alice.ReceivedSoFar().Where(f => f.Contains("\"type\":\"ack\"", StringComparison.Ordinal))
                .Select(f => Guid.Parse((string)System.Text.Json.Nodes.JsonNode.Parse(f)!["id"]!)).ToList();
            // Sends are pipelined, so answers may come in any order; but the receive loop handles frames in the order
            // they came and the close waits for every frame it handled: the answered refs, as a set, are a prefix
            // f0..fk of what was sent (none lost mid-way), each answered exactly once.
            var answers = alice.ReceivedSoFar().Select(f => System.Text.Json.Nodes.JsonNode.Parse(f)!).Where(f => f["ref"] is not null).ToList();
            var answeredRefs = answers.Select(f => (string)f["ref"]!).ToList();
            Assert.Equal(answeredRefs.Count, answeredRefs.Distinct().Count());
            Assert.Equal(Enumerable.Range(0, answeredRefs.Count).Select(i => $"f{i}").ToHashSet(), answeredRefs.ToHashSet());
            // Ids are assigned in receive order: in the order of their refs, the acknowledged ids ascend.
            var idsInSendOrder = answers.Where(f => (string?)f["type"] == "ack").OrderBy(f => int.Parse(((string)f["ref"]!)[1..], System.Globalization.CultureInfo.InvariantCulture))
                .Select(f => Guid.Parse((string)f["id"]!)).ToList();
            Assert.Equal(idsInSendOrder.Order(), idsInSendOrder);
            Figures.Record(output, nameof(Sigterm_closes_a_gateways_sockets_with_1001_after_finishing_in_flight_publishes), $"{acknowledged.Count} of 50 pipelined sends answered before the 1001 close");
            await AssertStoredExactlyOnceAsync(room, acknowledged);
        }
        finally
        {
            await RestoreGatewaysAsync(victim);
        }
    }

    [Fact]
    public async Task A_gateway_that_stops_running_for_longer_than_the_slow_client_timeout_closes_none_of_its_readers()
    {
        var room = Names.Room("stalled-gateway");
        var replicas = await app.GetGatewayReplicaDetailsAsync();
        var stalled = replicas[0];
        var readers = new List<ChatClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var reader = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(stalled.Address, user: $"reader{i}"));
                readers.Add(reader);
                await reader.JoinAsync(room);
            }

            await using var sender = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1].Address, user: "steady"));
            await sender.JoinAsync(room);
            await using var traffic = new Traffic(sender, room, "steady", perSecond: 100);
            await traffic.WaitForMoreAcknowledgedAsync(50, TestTimeouts.Long);

            // The readers' gateway does not run for about 3 s (as in a long pause): their messages wait for it meanwhile.
            Signals.Send(stalled.ProcessId, Signals.Stop);
            try
            {
                await traffic.WaitForMoreAcknowledgedAsync(300, TestTimeouts.Long);
            }
            finally
            {
                Signals.Send(stalled.ProcessId, Signals.Continue);
            }

            await traffic.WaitForMoreAcknowledgedAsync(50, TestTimeouts.Long);
            await traffic.StopAsync();
            var acknowledged = traffic.Acknowledged.Order().ToList();
            foreach (var reader in readers)
            {
                await reader.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == acknowledged[^1].ToString(), TestTimeouts.Long);
                var received = reader.ReceivedMessageIds().ToHashSet();
                Assert.All(acknowledged, id => Assert.Contains(id, received));
                Assert.False(reader.Closed.IsCompleted, $"{reader.User} was closed");
            }

            Figures.Record(output, nameof(A_gateway_that_stops_running_for_longer_than_the_slow_client_timeout_closes_none_of_its_readers),
                $"the gateway was stopped while {acknowledged.Count} messages were acknowledged in all; its 3 readers received all of them and none was closed");
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_client_that_never_reads_is_closed_with_1013_and_the_others_miss_nothing()
    {
        var room = Names.Room("slow");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var slow = await ChatClient.ConnectRawAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: "sleepy"), receiveBufferSize: 4096);
        var welcome = await slow.ReceiveJsonAsync();
        await slow.JoinAsync(room);
        slow.PauseReading();
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, "fast1", "fast2");
        var (fastHere, fastThere) = clients;
        await using var sender = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: "loud"));
        await sender.JoinAsync(room);

        var sent = new List<Guid>();
        var text = new string('x', 3990);
        // The kernel's buffers take megabytes before a write waits; from then on the stall timeout runs.
        var fellBehind = app.Logs.WaitForAsync(l => l.Text.Contains($"Connection {(string?)welcome["connectionId"]} fell behind (does not read)", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
        for (var i = 0; i < 10_000 && !fellBehind.IsCompleted; i++)
        {
            sent.Add(await sender.SendAcknowledgedAsync(room, $"{i} {text}"));
        }

        await fellBehind.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        slow.ResumeReading();

        Assert.Equal(ChatConnectionCloseStatus.TryAgainLater, await slow.Closed.WaitAsync(TestTimeouts.Long, Ct));
        foreach (var fast in new[] { fastHere, fastThere })
        {
            await fast.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == sent[^1].ToString(), TestTimeouts.Long);
            var received = fast.ReceivedMessageIds();
            Assert.Equal(sent, received);
        }

        Figures.Record(output, nameof(A_client_that_never_reads_is_closed_with_1013_and_the_others_miss_nothing), $"the client that never read was closed with 1013 after {sent.Count} messages of 4 KB; the two fast clients received all {sent.Count}");
    }
}

/// <summary>The close status the gateway uses for a client that fell behind.</summary>
static class ChatConnectionCloseStatus
{
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;
}

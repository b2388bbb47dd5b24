using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using Chat.Tests.Faults;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>
/// The node that leads <c>chat-history</c> stops under traffic, as a crash (SIGKILL) and as a shutdown (SIGTERM): every
/// send is answered <c>ack</c> or <c>unavailable</c> in time, every acknowledged message is stored once and reaches the
/// clients of both gateways once, the gateways hear each other afterwards, and the node rejoins when started again.
/// </summary>
[Collection(BrokerClusterCollection.Name)]
public sealed class BrokerNodeFailoverTests(BrokerClusterFixture app, ITestOutputHelper output)
{
    const string HistoryQueue = "chat-history";

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static bool IsMessage(JsonObject frame, Guid id) => (string?)frame["type"] == "message" && (string?)frame["id"] == id.ToString();

    [Fact]
    public Task Killing_the_node_that_leads_chat_history_under_traffic_loses_nothing_and_answers_every_send_in_time() =>
        StopTheLeaderUnderTrafficAsync(Signals.Kill, "SIGKILL");

    [Fact]
    public Task Stopping_the_node_that_leads_chat_history_under_traffic_loses_nothing_and_answers_every_send_in_time() =>
        StopTheLeaderUnderTrafficAsync(Signals.Terminate, "SIGTERM");

    async Task StopTheLeaderUnderTrafficAsync(int signal, string how, [CallerMemberName] string test = "")
    {
        var ctl = BrokerCtl.For(app);
        var room = Names.Room("failover");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, Names.User("alice"), Names.User("bob"));
        var (alice, bob) = clients;
        var clock = Stopwatch.StartNew();
        await using var fromAlice = new Traffic(alice, room, "alice", clock: clock);
        await using var fromBob = new Traffic(bob, room, "bob", clock: clock);
        await fromAlice.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);
        await fromBob.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);

        // A node goes only while every quorum queue has all its members (the previous test's node may still be catching up).
        await AllQuorumMembersOnlineAsync(ctl, BrokerClusterFixture.NodeNames[0]);
        var leader = (await ctl.QueueAsync(BrokerClusterFixture.NodeNames[0], HistoryQueue))?.Leader ?? throw new InvalidOperationException("chat-history has no leader");
        var victim = leader[..leader.IndexOf('@', StringComparison.Ordinal)];
        var survivor = BrokerClusterFixture.NodeNames.First(n => n != leader);
        var clientConnections = await ctl.ConnectionsAsync(survivor, leader);
        var beam = await app.FindProcessAsync(victim, "beam.smp");
        var restarted = false;
        try
        {
            var stoppedAt = clock.Elapsed;
            Signals.Send(beam, signal);
            await app.App.ResourceNotifications.WaitForResourceAsync(victim, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), Ct)
                .WaitAsync(TestTimeouts.Long, Ct);
            var down = clock.Elapsed - stoppedAt;
            var elected = await Eventually.UntilAsync(_ => ctl.QueueAsync(survivor, HistoryQueue), q => q?.Leader is { } l && l != leader,
                TestTimeouts.Long, "a new leader of chat-history");
            var electedAfter = clock.Elapsed - stoppedAt;

            // The clients' sends are acknowledged again, through the surviving nodes.
            await fromAlice.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);
            await fromBob.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);
            await fromAlice.StopAsync();
            await fromBob.StopAsync();

            // Each gateway consumes again: a message from either replica reaches the other.
            var aliceAfter = await alice.SendAcknowledgedAsync(room, "after the failover, from alice");
            await bob.WaitForAsync(f => IsMessage(f, aliceAfter), TestTimeouts.Long);
            var bobAfter = await bob.SendAcknowledgedAsync(room, "after the failover, from bob");
            await alice.WaitForAsync(f => IsMessage(f, bobAfter), TestTimeouts.Long);

            // Every send was answered (a hang would have failed its traffic), acknowledged or unavailable.
            var answers = fromAlice.Answers.Concat(fromBob.Answers).OrderBy(a => a.Sent).ToList();
            Assert.All(answers, a => Assert.True(a.Id is not null || a.Code == "unavailable", $"a send was answered {a.Code}"));
            HashSet<Guid> acknowledged = [.. fromAlice.Acknowledged, .. fromBob.Acknowledged, aliceAfter, bobAfter];
            var (stored, duplicates) = await AssertStoredExactlyOnceAsync(room, acknowledged);

            // The gateways' queues are quorum queues: what they held when the node went is delivered, and once only.
            await alice.AssertReceivedOnceAsync(acknowledged, TestTimeouts.Long);
            await bob.AssertReceivedOnceAsync(acknowledged, TestTimeouts.Long);

            var rejoining = Stopwatch.StartNew();
            await app.ExecuteCommandAsync(victim, "resource-start");
            restarted = true;
            await Eventually.UntilAsync(_ => ctl.RunningNodesAsync(survivor), r => r.SequenceEqual(BrokerClusterFixture.NodeNames), TestTimeouts.Long, "3 running nodes");
            var rejoined = rejoining.Elapsed;
            await AllQuorumMembersOnlineAsync(ctl, survivor);
            var membersBack = rejoining.Elapsed;

            var afterStop = answers.Where(a => a.Answered >= stoppedAt).ToList();
            var acknowledgedTimes = answers.Where(a => a.Id is not null).Select(a => a.Answered).ToList();
            var longestGap = acknowledgedTimes.Zip(acknowledgedTimes.Skip(1), (a, b) => b - a).Where((_, i) => acknowledgedTimes[i + 1] >= stoppedAt).DefaultIfEmpty().Max();
            Figures.Record(output, test,
                $"{how} to {victim} (leader of chat-history; the services' connections there: {(clientConnections.Count == 0 ? "none" : string.Join(", ", clientConnections))}): down in {down.TotalSeconds:0.0} s, new leader {elected!.Leader} " +
                $"{electedAfter.TotalSeconds:0.0} s after the signal; {answers.Count} sends answered, {answers.Count(a => a.Code == "unavailable")} unavailable " +
                $"({afterStop.Count(a => a.Code == "unavailable")} after the signal), slowest answer {answers.Max(a => a.Latency).TotalSeconds:0.00} s, " +
                $"longest pause between acknowledgements {longestGap.TotalSeconds:0.00} s; {acknowledged.Count} acknowledged, {stored} stored, {duplicates} duplicates, " +
                $"all received once by both clients; the node ran in the cluster again {rejoined.TotalSeconds:0.0} s after its start, every quorum queue's 3 members online after {membersBack.TotalSeconds:0.0} s");
        }
        finally
        {
            if (!restarted)
            {
                await app.ExecuteCommandAsync(victim, "resource-start");
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            cts.CancelAfter(TestTimeouts.Long);
            await app.WaitUntilHealthyAsync(cts.Token);
        }
    }

    /// <summary>Waits until every quorum queue (chat-history and the gateways' own) has all its members online.</summary>
    static Task AllQuorumMembersOnlineAsync(BrokerCtl ctl, string node) =>
        Eventually.UntilAsync(_ => ctl.QueuesAsync(node, ""),
            queues => queues.Where(q => q.Type == "quorum").All(q => q.Online.SequenceEqual(BrokerClusterFixture.NodeNames)),
            TestTimeouts.Long, "every quorum queue's members online");

    /// <summary>History holds every acknowledged id, each once; returns how many it holds and how many twice.</summary>
    async Task<(int Stored, int Duplicates)> AssertStoredExactlyOnceAsync(string room, IReadOnlySet<Guid> acknowledged)
    {
        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => acknowledged.IsSubsetOf(h.Select(m => m.Id)),
            TimeSpan.FromMinutes(2), $"{acknowledged.Count} acknowledged messages in history");
        var duplicates = stored.Count - stored.Select(m => m.Id).Distinct().Count();
        Assert.Equal(0, duplicates);
        return (stored.Count, duplicates);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>Presence when a gateway instance dies or restarts (PROTOCOL.md v1.1: a silent instance's users leave within 15 s).</summary>
[Collection(FaultCollection.Name)]
public sealed class PresenceFaultTests(FaultFixture app, ITestOutputHelper output)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static bool IsPresence(JsonObject f, string user, string status) =>
        (string?)f["type"] == "presence" && (string?)f["user"] == user && (string?)f["status"] == status;

    async Task RestartAsync(GatewayReplica replica, bool stop)
    {
        if (stop)
        {
            await app.ExecuteCommandAsync(replica.ResourceId, "resource-stop");
        }

        await app.ExecuteCommandAsync(replica.ResourceId, "resource-start");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TestTimeouts.Long);
        await app.WaitUntilHealthyAsync(cts.Token);
    }

    [Fact]
    public async Task A_replica_killed_without_a_word_has_its_users_leave_on_the_other_replica_within_15_s()
    {
        var room = Names.Room("presence-killed");
        var replicas = await app.GetGatewayReplicaDetailsAsync();
        var (victim, survivor) = (replicas[0], replicas[1]);
        var (alice, bob) = (Names.User("alice"), Names.User("bob"));
        await using var watcher = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(survivor.Address, user: Names.User("carol")));
        await watcher.JoinAsync(room);
        try
        {
            await using var a = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(victim.Address, user: alice));
            await using var b = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(victim.Address, user: bob));
            await a.JoinAsync(room);
            await b.JoinAsync(room);
            await watcher.WaitForAsync(f => IsPresence(f, alice, "joined"));
            await watcher.WaitForAsync(f => IsPresence(f, bob, "joined"));

            var killed = Stopwatch.StartNew();
            Signals.Send(victim.ProcessId, Signals.Kill);
            await watcher.WaitForAsync(f => IsPresence(f, alice, "left"), TimeSpan.FromSeconds(30));
            await watcher.WaitForAsync(f => IsPresence(f, bob, "left"), TimeSpan.FromSeconds(30));
            var after = killed.Elapsed;

            Assert.True(after <= TimeSpan.FromSeconds(15), $"left only {after.TotalSeconds:0.0} s after the kill");
            Figures.Record(output, nameof(A_replica_killed_without_a_word_has_its_users_leave_on_the_other_replica_within_15_s),
                $"both users of the killed replica left on the other {after.TotalSeconds:0.0} s after the SIGKILL");
        }
        finally
        {
            await RestartAsync(victim, stop: false);
        }
    }

    [Fact]
    public async Task A_restarted_replica_learns_the_members_it_had_not_seen()
    {
        var room = Names.Room("presence-restart");
        var replicas = await app.GetGatewayReplicaDetailsAsync();
        var alice = Names.User("alice");
        await using var a = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1].Address, user: alice));
        await a.JoinAsync(room);

        await RestartAsync(replicas[0], stop: true);

        await using var carol = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0].Address, user: Names.User("carol")));
        var joined = await carol.JoinAsync(room);
        Assert.Contains(alice, joined["members"]!.AsArray().Select(m => (string)m!));
        await a.WaitForAsync(f => IsPresence(f, carol.User, "joined"));
    }
}

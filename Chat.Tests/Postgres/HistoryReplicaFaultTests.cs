using Aspire.Hosting.ApplicationModel;
using Chat.Tests.Faults;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Postgres;

/// <summary>
/// A history replica dies under traffic: the other takes over the queue and the API, and every acknowledged message
/// is stored exactly once. Each test brings the killed replica back at its end.
/// </summary>
[Collection(PostgresReplicasCollection.Name)]
public sealed class HistoryReplicaFaultTests(PostgresReplicasFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_history_replica_under_traffic_loses_nothing_and_the_api_keeps_answering()
    {
        var room = Names.Room("pgkill");
        var victim = (await app.GetHistoryReplicasAsync())[0];
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await using var bob = await ChatClient.ConnectAsync(app.GatewaySocket(user: "bob"));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        await using var fromAlice = new Traffic(alice, room, "alice");
        await using var fromBob = new Traffic(bob, room, "bob");
        await fromAlice.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);
        try
        {
            await using var probe = new HistoryApiProbe(app, room);
            await probe.WaitForMoreAnsweredAsync(5, TestTimeouts.Long);

            var killedAt = probe.Now;
            Signals.Send(victim.ProcessId, Signals.Kill);
            await WaitUntilStoppedAsync(victim);
            await fromAlice.WaitForMoreAcknowledgedAsync(50, TestTimeouts.Long);
            await fromBob.WaitForMoreAcknowledgedAsync(50, TestTimeouts.Long);
            await probe.WaitForMoreAnsweredAsync(20, TestTimeouts.Long);
            await fromAlice.StopAsync();
            await fromBob.StopAsync();

            // The API answers on: the requests that failed (the proxy's connection to the dead replica) are few, and
            // all of them were asked in the moment of the kill; every request of the last seconds was answered.
            var afterKill = probe.Results.Where(r => r.At > killedAt).ToList();
            var failed = afterKill.Where(r => !r.Answered).ToList();
            var lastFailure = failed.Count == 0 ? TimeSpan.Zero : failed[^1].At - killedAt;
            Assert.True(lastFailure < TimeSpan.FromSeconds(10), $"the API still failed {lastFailure.TotalSeconds:0.0} s after the kill");
            Assert.True(afterKill.Count(r => r.Answered) >= 20);
            Assert.All(afterKill.TakeLast(20), r => Assert.True(r.Answered));

            var acknowledged = fromAlice.Acknowledged.Concat(fromBob.Acknowledged).ToList();
            Assert.Empty(fromAlice.Errors.Concat(fromBob.Errors));
            var (stored, duplicates) = await AssertStoredExactlyOnceAsync(room, acknowledged);
            Figures.Record(output, nameof(Killing_a_history_replica_under_traffic_loses_nothing_and_the_api_keeps_answering),
                $"{acknowledged.Count} acknowledged, {stored} stored, {duplicates} duplicates; history API after the kill: {afterKill.Count(r => r.Answered)} of {afterKill.Count} requests answered, the last failure {lastFailure.TotalSeconds:0.0} s after it");
        }
        finally
        {
            await RestoreAsync(victim);
        }
    }

    [Fact]
    public async Task Deliveries_held_by_a_hung_replica_go_to_the_other_when_it_is_killed()
    {
        var room = Names.Room("pghung");
        var (victim, survivor) = await app.GetHistoryReplicasAsync() is [var first, var second] ? (first, second) : throw new InvalidOperationException("two replicas");
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await alice.JoinAsync(room);
        await using var traffic = new Traffic(alice, room, "alice");
        await traffic.WaitForMoreAcknowledgedAsync(10, TestTimeouts.Long);
        try
        {
            // Hung (SIGSTOP), the replica keeps its consumer: the broker goes on handing it deliveries it never acknowledges.
            Signals.Send(victim.ProcessId, Signals.Stop);
            try
            {
                await traffic.WaitForMoreAcknowledgedAsync(60, TestTimeouts.Long);
            }
            finally
            {
                Signals.Send(victim.ProcessId, Signals.Kill); // a stopped process dies of SIGKILL all the same
            }

            await WaitUntilStoppedAsync(victim);

            // The broker gives what the dead replica held to the survivor, marked redelivered, and it stores them.
            var taken = await app.Logs.WaitForAsync(l => l.ResourceId == survivor.ResourceId
                && l.Text.Contains("redelivered messages in a batch", StringComparison.Ordinal), TestTimeouts.Long);
            await traffic.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);
            await traffic.StopAsync();

            Assert.Empty(traffic.Errors);
            var (stored, duplicates) = await AssertStoredExactlyOnceAsync(room, traffic.Acknowledged);
            Figures.Record(output, nameof(Deliveries_held_by_a_hung_replica_go_to_the_other_when_it_is_killed),
                $"{traffic.Acknowledged.Count} acknowledged, {stored} stored, {duplicates} duplicates; the survivor: {taken.Text[taken.Text.IndexOf("Committed", StringComparison.Ordinal)..]}");
        }
        finally
        {
            await RestoreAsync(victim);
        }
    }

    [Fact]
    public async Task Restarting_the_database_under_traffic_is_a_clean_fast_shutdown_that_keeps_its_data_and_history_stores_again()
    {
        var room = Names.Room("pgrestart");
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await alice.JoinAsync(room);
        await using var traffic = new Traffic(alice, room, "alice");
        await traffic.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);
        var before = await app.GetHistoryAsync(room, TestContext.Current.CancellationToken);

        var outage = System.Diagnostics.Stopwatch.StartNew();
        await app.ExecuteCommandAsync(PostgresReplicasFixture.Server, "resource-restart");
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(PostgresReplicasFixture.Database, WaitBehavior.WaitOnResourceUnavailable, TestContext.Current.CancellationToken)
            .WaitAsync(TestTimeouts.Long, TestContext.Current.CancellationToken);
        var restart = outage.Elapsed;
        await app.App.ResourceNotifications.WaitForResourceAsync(PostgresReplicasFixture.Database, KnownResourceStates.Running, TestContext.Current.CancellationToken)
            .WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken); // the database runs again with its server
        await traffic.WaitForMoreAcknowledgedAsync(20, TestTimeouts.Long);
        await traffic.StopAsync();

        // SIGTERM alone would wait for history's connections until DCP killed the server; it was asked to hurry instead.
        await app.Logs.WaitForAsync(l => l.Resource == PostgresReplicasFixture.Server && l.Text.Contains("received fast shutdown request", StringComparison.Ordinal), TestTimeouts.Network);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Resource == PostgresReplicasFixture.Server && l.Text.Contains("database system was interrupted", StringComparison.Ordinal));

        Assert.Empty(traffic.Errors);
        var (stored, duplicates) = await AssertStoredExactlyOnceAsync(room, traffic.Acknowledged);
        Assert.Superset(before.Select(m => m.Id).ToHashSet(), (await app.GetHistoryAsync(room, TestContext.Current.CancellationToken)).Select(m => m.Id).ToHashSet());
        Figures.Record(output, nameof(Restarting_the_database_under_traffic_is_a_clean_fast_shutdown_that_keeps_its_data_and_history_stores_again),
            $"database restarted in {restart.TotalSeconds:0.0} s; {traffic.Acknowledged.Count} acknowledged, {stored} stored, {duplicates} duplicates");
    }

    Task WaitUntilStoppedAsync(HistoryReplica replica) =>
        app.WaitForReplicaAsync(replica.ResourceId, s => KnownResourceStates.TerminalStates.Contains(s.State?.Text));

    /// <summary>History holds every acknowledged id, each once; returns how many it holds and how many twice.</summary>
    async Task<(int Stored, int Duplicates)> AssertStoredExactlyOnceAsync(string room, IEnumerable<Guid> acknowledged)
    {
        var expected = acknowledged.ToHashSet();
        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => expected.IsSubsetOf(h.Select(m => m.Id)),
            TimeSpan.FromMinutes(2), $"{expected.Count} acknowledged messages in history");
        var duplicates = stored.Count - stored.Select(m => m.Id).Distinct().Count();
        Assert.Equal(0, duplicates);
        return (stored.Count, duplicates);
    }

    /// <summary>Starts the killed replica again and waits until both replicas run and answer their health check.</summary>
    async Task RestoreAsync(HistoryReplica replica)
    {
        await app.ExecuteCommandAsync(replica.ResourceId, "resource-start");
        using var http = new HttpClient();
        foreach (var running in await app.GetHistoryReplicasAsync())
        {
            await Eventually.UntilAsync(async c =>
            {
                try
                {
                    return await http.GetStringAsync(new Uri(running.Address, "/health"), c);
                }
                catch (HttpRequestException)
                {
                    return "unreachable";
                }
            }, body => body == "Healthy", TestTimeouts.Long, $"{running.ResourceId} healthy");
        }
    }
}

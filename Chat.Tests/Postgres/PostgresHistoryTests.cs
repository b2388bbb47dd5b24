using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Postgres;

/// <summary>History on PostgreSQL with two replicas behind the AppHost's history port, through the real app.</summary>
[Collection(PostgresReplicasCollection.Name)]
public sealed class PostgresHistoryTests(PostgresReplicasFixture app)
{
    const string HistoryQueue = "chat-history";
    static readonly MessageIdGenerator Ids = new();

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<List<Guid>> PageAsync(string query)
    {
        using var http = app.CreateHistoryClient();
        var page = await http.GetFromJsonAsync<MessagePage>(query, JsonDefaults.Options, Ct).WaitAsync(TestTimeouts.Network, Ct);
        return [.. page!.Messages.Select(m => m.Id)];
    }

    [Fact]
    public async Task The_database_is_the_machines_postgres_run_by_dcp_as_the_postgres_user()
    {
        var running = await app.App.ResourceNotifications.WaitForResourceAsync(PostgresReplicasFixture.Server,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && PostgresReplicasFixture.ProcessId(e.Snapshot) is not null, Ct).WaitAsync(TestTimeouts.Network, Ct);
        var pid = PostgresReplicasFixture.ProcessId(running.Snapshot)!.Value;

        // setpriv execs: the process DCP started, and stops, is the postmaster itself, in its own data directory.
        Assert.Equal("postgres", (await File.ReadAllTextAsync($"/proc/{pid}/comm", Ct)).Trim());
        Assert.Contains(pid, PostgresServer.ProcessesIn(app.ServerDirectory));
        if (PostgresServer.RunningAsRoot)
        {
            var uid = (await File.ReadAllLinesAsync($"/proc/{pid}/status", Ct)).Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            Assert.Equal(PostgresUserId(), uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        }

        var connectionString = await app.App.GetConnectionStringAsync(PostgresReplicasFixture.Database, Ct).AsTask().WaitAsync(TestTimeouts.Network, Ct);
        Assert.Matches("^Host=[^;]+;Port=[0-9]+;Username=postgres;Password=[^;]+;Database=history-db$", connectionString);
    }

    static string PostgresUserId() =>
        File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')).Single(f => f[0] == "postgres")[2];

    [Fact]
    public async Task Both_replicas_consume_the_history_queue_and_serve_the_api()
    {
        await using var broker = await BrokerClient.ConnectAsync(app);
        Assert.Equal((uint)PostgresReplicasFixture.HistoryReplicas, await broker.ConsumersAsync(HistoryQueue));

        var replicas = await app.GetHistoryReplicasAsync();
        Assert.Equal(PostgresReplicasFixture.HistoryReplicas, replicas.Select(r => r.ProcessId).Distinct().Count());
        using var http = new HttpClient();
        foreach (var replica in replicas)
        {
            var page = await http.GetFromJsonAsync<MessagePage>(new Uri(replica.Address, "/rooms/lobby/messages?limit=1"), JsonDefaults.Options, Ct)
                .WaitAsync(TestTimeouts.Network, Ct);
            Assert.Equal("lobby", page!.Room);
        }
    }

    [Fact]
    public async Task Paging_by_limit_before_and_after_returns_ascending_pages_whichever_replica_answers()
    {
        var room = Names.Room("pgapi");
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await alice.JoinAsync(room);
        var ids = new List<Guid>();
        for (var i = 0; i < 60; i++)
        {
            ids.Add(await alice.SendAcknowledgedAsync(room, $"m{i}"));
        }

        await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count == ids.Count, TestTimeouts.Long, "60 messages stored");

        // Each request is a new connection, which the proxy may give to either replica: every answer is the same.
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(ids.TakeLast(50), await PageAsync($"/rooms/{room}/messages"));
            Assert.Equal(ids.Skip(20).Take(10), await PageAsync($"/rooms/{room}/messages?limit=10&before={ids[30]}"));
            Assert.Equal(ids.Skip(31).Take(5), await PageAsync($"/rooms/{room}/messages?limit=5&after={ids[30]}"));
            Assert.Empty(await PageAsync($"/rooms/{room}/messages?after={ids[^1]}"));
        }
    }

    [Fact]
    public async Task A_join_gets_the_rooms_history_from_the_replicas()
    {
        var room = Names.Room("pgjoin");
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await alice.JoinAsync(room);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await alice.SendAcknowledgedAsync(room, $"before bob {i}"));
        }

        await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count == ids.Count, TestTimeouts.Long, "5 messages stored");
        await using var bob = await ChatClient.ConnectAsync(app.GatewaySocket(user: "bob"));
        var joined = await bob.JoinAsync(room);

        Assert.Null(joined["historyComplete"]); // history answered
        Assert.Equal(ids, joined["history"]!.AsArray().Select(m => Guid.Parse((string)m!["id"]!)));
    }

    [Fact]
    public async Task Copies_of_events_taken_by_both_replicas_are_stored_once()
    {
        var room = Names.Room("pgcopies");
        var messages = Enumerable.Range(0, 200).Select(i => new ChatMessage(Ids.NewId(), room, "alice", $"copy {i}", DateTimeOffset.UtcNow)).ToList();
        await using var broker = await BrokerClient.ConnectAsync(app);

        // Five copies of each, interleaved: the replicas take turns at the queue, so one id can reach both.
        await broker.PublishManyAsync(Enumerable.Range(0, 5).SelectMany(_ => messages));

        var stored = await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count >= messages.Count, TestTimeouts.Long, "200 messages stored");
        Assert.Equal(messages.Select(m => m.Id), stored.Select(m => m.Id));
        await Eventually.UntilAsync(_ => broker.CountAsync(HistoryQueue), n => n == 0, TestTimeouts.Long, "the queue drained");
        Assert.Equal(messages.Count, (await app.GetHistoryAsync(room, Ct)).Count);
    }
}

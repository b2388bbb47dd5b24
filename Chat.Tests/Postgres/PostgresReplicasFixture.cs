using Aspire.Hosting.ApplicationModel;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Postgres;

/// <summary>
/// An app of its own whose history runs as two replicas on the machine's PostgreSQL (started by the AppHost as a
/// local resource in the fixture's data directory), with a send rate high enough to drive load. At the end it checks
/// that no PostgreSQL process of that data directory outlived the app.
/// </summary>
public sealed class PostgresReplicasFixture : ChatAppFixture
{
    public const string Database = "history-db";
    public const string Server = "postgres";
    public const int HistoryReplicas = 2;

    protected override IEnumerable<string> AppHostArguments =>
    [
        "--Chat:HistoryStore=postgres",
        "--Chat:Database=local",
        $"--Chat:HistoryReplicas={HistoryReplicas}",
        "--Gateway:MessagesPerSecond=5000",
        "--Gateway:MessageBurst=5000",
    ];

    /// <summary>The local server's data directory (see the AppHost's Database folder).</summary>
    public string ServerDirectory => Path.Combine(DataDirectory, Server);

    /// <summary>Each running history replica; waits until <paramref name="expected"/> of them run.</summary>
    public async Task<IReadOnlyList<HistoryReplica>> GetHistoryReplicasAsync(int expected = HistoryReplicas)
    {
        var found = new Dictionary<string, HistoryReplica>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TestTimeouts.Long);
        await foreach (var e in App.ResourceNotifications.WatchAsync(cts.Token))
        {
            if (e.Resource.Name != History)
            {
                continue;
            }

            var urls = e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value;
            if (e.Snapshot.State?.Text == KnownResourceStates.Running && urls is not null && ProcessId(e.Snapshot) is { } launcher)
            {
                found[e.ResourceId] = new HistoryReplica(e.ResourceId, new Uri(urls.Split(';')[0]), await ProcessTree.FindAsync(launcher, "Chat.History"));
            }
            else
            {
                found.Remove(e.ResourceId);
            }

            if (found.Count == expected)
            {
                break;
            }
        }

        return [.. found.Values.OrderBy(r => r.ResourceId)];
    }

    /// <summary>
    /// Waits for an event of one replica (by resource id; the notification service's own waits match resource names, and
    /// the replicas share theirs).
    /// </summary>
    public async Task WaitForReplicaAsync(string resourceId, Func<CustomResourceSnapshot, bool> predicate)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TestTimeouts.Long);
        await foreach (var e in App.ResourceNotifications.WatchAsync(cts.Token))
        {
            if (e.ResourceId == resourceId && predicate(e.Snapshot))
            {
                return;
            }
        }
    }

    /// <summary>The process DCP started for a running resource (a project's launcher; the local server's postmaster).</summary>
    public static int? ProcessId(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();

        // DCP stopped the server with SIGTERM; its backends end with it. What is still there now was left behind.
        var left = await Eventually.UntilAsync(_ => Task.FromResult(PostgresServer.ProcessesIn(ServerDirectory)), pids => pids.Count == 0, TestTimeouts.Network, "no PostgreSQL process left");
        Assert.Empty(left);
    }
}

/// <summary>The tests of the two-replica PostgreSQL app; they kill replicas, so they run alone, after the parallel collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresReplicasCollection : ICollectionFixture<PostgresReplicasFixture>
{
    public const string Name = "PostgresReplicas";
}

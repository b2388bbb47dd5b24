using Chat.Tests.Infrastructure;

namespace Chat.Tests.Postgres;

/// <summary>The AppHost's own checks of the history settings, run as the AppHost process itself (it stops before starting anything).</summary>
public sealed class HistoryReplicaConfigurationTests
{
    [Fact]
    public async Task More_than_one_history_replica_on_sqlite_is_refused_with_one_line()
    {
        var (exitCode, errorLines, output) = await RefusedAppHost.RunAsync("--Chat:HistoryReplicas=2", "--Chat:Broker=local");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(errorLines);
        Assert.Contains("Chat:HistoryStore=postgres", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Distributed application started", output, StringComparison.Ordinal);
    }
}

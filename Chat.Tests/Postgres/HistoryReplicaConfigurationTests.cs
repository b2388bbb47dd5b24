using System.Diagnostics;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Postgres;

/// <summary>The AppHost's own checks of the history settings, run as the AppHost process itself (it stops before starting anything).</summary>
public sealed class HistoryReplicaConfigurationTests
{
    [Fact]
    public async Task More_than_one_history_replica_on_sqlite_is_refused_with_one_line()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "chat-tests", "refused-" + Guid.NewGuid().ToString("N"));
        // The AppHost's own build (same configuration as the tests'), with its own dependencies.
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)));
        var appHostPath = Path.Combine(Projects.Chat_AppHost.ProjectPath, "bin", configuration!, "net10.0", "Chat.AppHost");
        var info = new ProcessStartInfo(appHostPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--Chat:HistoryReplicas=2", "--Chat:Broker=local", $"--Chat:DataDirectory={dataDirectory}" })
        {
            info.ArgumentList.Add(argument);
        }

        using var appHost = Process.Start(info)!;
        try
        {
            var output = appHost.StandardOutput.ReadToEndAsync(ct);
            var errors = appHost.StandardError.ReadToEndAsync(ct);
            await appHost.WaitForExitAsync(ct).WaitAsync(TestTimeouts.Long, ct);

            Assert.Equal(1, appHost.ExitCode);
            var line = Assert.Single((await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Chat:HistoryStore=postgres", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Distributed application started", await output, StringComparison.Ordinal);
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true); // it hung: the assertion above has failed already
            }

            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }
}

using System.Diagnostics;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// The AppHost's own build (same configuration as the tests'), run as a process with settings it must refuse before
/// starting anything, on a data directory of its own that is deleted afterwards.
/// </summary>
static class RefusedAppHost
{
    /// <summary>Runs it with <paramref name="arguments"/>; its exit code, the lines it wrote to stderr, and its stdout.</summary>
    public static async Task<(int ExitCode, string[] ErrorLines, string Output)> RunAsync(params string[] arguments)
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Path.Combine(Path.GetTempPath(), "chat-tests", "refused-" + Guid.NewGuid().ToString("N"));
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)));
        var info = new ProcessStartInfo(Path.Combine(Projects.Chat_AppHost.ProjectPath, "bin", configuration!, "net10.0", "Chat.AppHost"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments.Append($"--Chat:DataDirectory={dataDirectory}"))
        {
            info.ArgumentList.Add(argument);
        }

        using var appHost = Process.Start(info)!;
        try
        {
            var output = appHost.StandardOutput.ReadToEndAsync(ct);
            var errors = appHost.StandardError.ReadToEndAsync(ct);
            await appHost.WaitForExitAsync(ct).WaitAsync(TestTimeouts.Long, ct);
            return (appHost.ExitCode, (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries), await output);
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true); // it hung: the wait above has failed already
            }

            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }
}

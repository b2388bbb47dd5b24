using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chat.AppHost.Database;

/// <summary>
/// Stops the local PostgreSQL with SIGINT (a fast shutdown, the container image's stop signal): DCP's SIGTERM is a smart
/// shutdown, which waits for history's pooled connections for ever, until DCP kills the server and its next start recovers.
/// </summary>
sealed partial class PostgresFastShutdown(
    LocalPostgresResource server,
    ResourceNotificationService notifications,
    ILogger<PostgresFastShutdown> logger) : BackgroundService
{
    /// <summary>The snapshot property with the id of the process DCP started: the postmaster, since setpriv execs.</summary>
    const string ProcessIdProperty = "executable.pid";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int? postmaster = null;
        await foreach (var e in notifications.WatchAsync(stoppingToken))
        {
            if (e.Resource != server)
            {
                continue;
            }

            var state = e.Snapshot.State?.Text;
            if (state == KnownResourceStates.Running)
            {
                postmaster = e.Snapshot.Properties.FirstOrDefault(p => p.Name == ProcessIdProperty)?.Value is { } pid
                    ? Convert.ToInt32(pid, CultureInfo.InvariantCulture)
                    : postmaster;
            }
            else if (state == KnownResourceStates.Stopping && postmaster is { } pid)
            {
                postmaster = null;
                await InterruptAsync(pid, stoppingToken);
            }
        }
    }

    async Task InterruptAsync(int pid, CancellationToken cancellationToken)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", "INT", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (kill is not null)
            {
                await kill.WaitForExitAsync(cancellationToken);
            }

            Log.FastShutdown(logger, server.Name, pid);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Log.NoFastShutdown(logger, server.Name, ex.Message); // DCP's stop goes on as it would anyway
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Resource} is stopping: asked its postmaster {ProcessId} for a fast shutdown (SIGINT)")]
        public static partial void FastShutdown(ILogger logger, string resource, int processId);

        [LoggerMessage(2, LogLevel.Warning, "{Resource} is stopping, and no fast shutdown could be asked for: {Reason}")]
        public static partial void NoFastShutdown(ILogger logger, string resource, string reason);
    }
}

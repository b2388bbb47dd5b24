using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chat.AppHost;

/// <summary>
/// When the AppHost stops, stops one resource (every replica of it) before DCP tears the rest down, while the proxy
/// in front of it still runs. For the gateway that means each replica drains as on any SIGTERM: it answers the frames
/// it is handling and closes its sockets with 1001 ("reconnect"), and clients connected through the proxy see that
/// close. Without this DCP removes the proxy and the services at the same moment, and those clients see their
/// connection drop (1006).
/// </summary>
sealed partial class StopFirstOnShutdown(
    IResource resource,
    ResourceCommandService commands,
    ResourceNotificationService notifications,
    ILogger<StopFirstOnShutdown> logger) : IHostedLifecycleService
{
    /// <summary>The longest the AppHost's stop waits for the replicas; then DCP stops what is left, as before.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    /// <summary>The snapshot property with the id of the process the orchestrator started for an executable or project.</summary>
    const string ProcessIdProperty = "executable.pid";

    /// <summary>Runs before any hosted service's <c>StopAsync</c>, so before Aspire stops its orchestrator.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        var processes = new List<Process>();
        try
        {
            foreach (var processId in await RunningProcessIdsAsync(budget.Token))
            {
                try
                {
                    processes.Add(Process.GetProcessById(processId));
                }
                catch (ArgumentException)
                {
                    // already gone
                }
            }

            if (processes.Count == 0)
            {
                return; // nothing is serving: nothing to drain
            }

            // One command stops every replica. The drain is over when their processes have exited; the orchestrator
            // reports the stop some seconds later, and that wait is not needed here.
            // (The command gets the host's token: it may outlive this method and its budget.)
            _ = ObserveAsync(commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cancellationToken));
            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(budget.Token)));
            Log.Stopped(logger, resource.Name, processes.Count);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.NotStoppedInTime(logger, resource.Name, Budget.TotalSeconds);
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>Logs how the stop command ended; never throws (nobody awaits it).</summary>
    async Task ObserveAsync(Task<ExecuteCommandResult> stopping)
    {
        try
        {
            if (await stopping is { Success: false } result)
            {
                Log.StopCommandEnded(logger, resource.Name, result.Message);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            Log.StopCommandEnded(logger, resource.Name, ex.Message);
        }
    }

    /// <summary>
    /// The processes the orchestrator started for the replicas that are running (for a project, its <c>dotnet run</c>
    /// launcher, which ends with the service). The watch begins with every resource's current state.
    /// </summary>
    async Task<List<int>> RunningProcessIdsAsync(CancellationToken cancellationToken)
    {
        var replicas = resource.GetReplicaCount();
        var seen = new Dictionary<string, int?>();
        await foreach (var e in notifications.WatchAsync(cancellationToken))
        {
            if (e.Resource != resource)
            {
                continue;
            }

            seen[e.ResourceId] = e.Snapshot.State?.Text == KnownResourceStates.Running
                && e.Snapshot.Properties.FirstOrDefault(p => p.Name == ProcessIdProperty)?.Value is { } pid
                ? Convert.ToInt32(pid, CultureInfo.InvariantCulture)
                : null;
            if (seen.Count == replicas)
            {
                break;
            }
        }

        return [.. seen.Values.OfType<int>()];
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Resource} did not stop within {Seconds} s of the AppHost's stop; the orchestrator stops what is left")]
        public static partial void NotStoppedInTime(ILogger logger, string resource, double seconds);

        [LoggerMessage(2, LogLevel.Debug, "The stop command of {Resource} ended without success (its processes may have ended anyway): {Message}")]
        public static partial void StopCommandEnded(ILogger logger, string resource, string? message);

        [LoggerMessage(3, LogLevel.Information, "Stopped the {Count} replicas of {Resource} before the rest of the app, so their clients are closed with 1001")]
        public static partial void Stopped(ILogger logger, string resource, int count);
    }
}

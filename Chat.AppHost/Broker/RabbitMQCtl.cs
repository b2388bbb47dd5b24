using System.Diagnostics;
using System.Text.Json;

namespace Chat.AppHost.Broker;

/// <summary>
/// <c>rabbitmqctl</c> for the AppHost's local nodes: with their Erlang cookie (in <paramref name="home"/>) and their epmd,
/// and without the machine's <c>/etc/rabbitmq/rabbitmq-env.conf</c>.
/// </summary>
sealed class RabbitMQCtl(string command, string home, EndpointReference epmd)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The nodes that run in the cluster, as the first of <paramref name="askNodes"/> that answers sees them; else
    /// <see langword="null"/> and what the last one said.
    /// </summary>
    public async Task<(IReadOnlyList<string>? Running, string? Problem)> RunningNodesAsync(IEnumerable<string> askNodes, CancellationToken cancellationToken)
    {
        var problem = "no node to ask";
        foreach (var node in askNodes)
        {
            var (exitCode, output, errors) = await RunAsync(["--node", node, "cluster_status", "--formatter", "json"], cancellationToken);
            if (exitCode == 0)
            {
                using var status = JsonDocument.Parse(output);
                return ([.. status.RootElement.GetProperty("running_nodes").EnumerateArray().Select(n => n.GetString()!)], null);
            }

            problem = $"{node}: {errors.Trim()}";
        }

        return (null, problem);
    }

    async Task<(int ExitCode, string Output, string Errors)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["HOME"] = home;
        info.Environment["ERL_EPMD_PORT"] = await epmd.Property(EndpointProperty.Port).GetValueAsync(cancellationToken);
        info.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(home, "rabbitmq-env.conf"); // not /etc's
        info.Environment["ERL_FLAGS"] = "-start_epmd false"; // with its epmd gone, fail instead of leaving a new one behind
        info.Environment["RABBITMQ_CTL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await errors);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Chat.Bench.Baselines;

/// <summary>
/// A baseline's server in a process of its own, as the app's gateways are: this executable started with
/// <c>--serve &lt;kind&gt;</c> (<see cref="BaselineHost"/>), with ASP.NET Core's runtime defaults (server GC, the thread
/// pool's spinning) instead of the load generator's settings. It prints the address it listens on; its warnings go
/// to the bench's log. Killed on dispose, and when the bench process exits.
/// </summary>
public sealed partial class BaselineProcess : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    readonly OwnedProcess _process;
    readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    BaselineProcess(Process process, string name, ILogger logger)
    {
        _process = new OwnedProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith(BaselineHost.ListeningPrefix, StringComparison.Ordinal))
            {
                _listening.TrySetResult(new Uri(line[BaselineHost.ListeningPrefix.Length..]));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Log.ServerOutput(logger, name, e.Data);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"{name} exited before it listened (see the bench log)"));
    }

    public int Pid => _process.Process.Id;

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts <c>--serve <paramref name="kind"/></c> with the given arguments and waits until it listens.</summary>
    public static async Task<BaselineProcess> StartAsync(string name, string kind, IEnumerable<string> arguments, ILogger logger, CancellationToken cancellationToken)
    {
        var entry = typeof(BaselineProcess).Assembly.Location;
        var start = new ProcessStartInfo(DotNetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var runtimeConfig = ServerRuntimeConfig(entry);
        foreach (var argument in (string[])["exec", "--runtimeconfig", runtimeConfig, entry, BaselineHost.ServeOption, kind, BaselineHost.NameOption, name, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
            var server = new BaselineProcess(process, name, logger);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                server.Address = await server._listening.Task.WaitAsync(StartTimeout, cancellationToken);
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
        finally
        {
            File.Delete(runtimeConfig); // read at start-up only
        }
    }

    /// <summary>The <c>dotnet</c> host that runs this process (the SDK's, under <c>dotnet run</c>).</summary>
    static string DotNetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var muxer = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    /// <summary>
    /// This executable's runtime configuration with the server settings a web app gets by default: server GC,
    /// background GC, and no limit on the thread pool's spinning (the bench's own spin limit is for the load generator).
    /// </summary>
    static string ServerRuntimeConfig(string entry)
    {
        var source = Path.ChangeExtension(entry, ".runtimeconfig.json");
        var config = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        var options = config["runtimeOptions"]!.AsObject();
        var properties = options["configProperties"] as JsonObject ?? [];
        properties["System.GC.Server"] = true;
        properties["System.GC.Concurrent"] = true;
        properties.Remove("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit");
        options["configProperties"] = properties;

        var path = Path.Combine(Path.GetTempPath(), $"chat-bench-server-{Guid.NewGuid():N}.runtimeconfig.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing its input is the signal to stop gracefully; killed if it does not within a few seconds.
            _process.Process.StandardInput.Close();
            await _process.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException)
        {
            // killed below
        }

        _process.Dispose();
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Server}: {Line}")]
        public static partial void ServerOutput(ILogger logger, string server, string line);
    }
}

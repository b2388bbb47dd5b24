using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Chat.Bench.Baselines;

/// <summary>
/// Debian's <c>redis-server</c> as a child process for the SignalR backplane: 127.0.0.1, a free port, no persistence
/// (<c>--save "" --appendonly no</c>). Killed on dispose, and when the bench process exits.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/redis-server";

    readonly OwnedProcess _process;

    RedisServer(Process process, int port)
    {
        _process = new OwnedProcess(process);
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Process.Id;

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: install it with 'sudo apt-get install redis-server' (or skip the SignalR peer with --baselines).");
        }

        var port = FreePort();
        var start = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", "--dir", Path.GetTempPath() })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited at once with code {process.ExitCode}");
                }

                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                    return server;
                }
                catch (SocketException)
                {
                    await Task.Delay(100, timeout.Token);
                }
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}

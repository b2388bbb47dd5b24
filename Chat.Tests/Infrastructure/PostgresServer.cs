using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server of the machine's (Debian's <c>postgresql</c>), started for a test class: <c>initdb</c> in a
/// temporary directory, <c>postgres</c> on a free loopback port with a generated password, stopped (fast shutdown) and
/// checked to be gone at the end. As root both run as the <c>postgres</c> user (they refuse root); <c>setpriv</c>
/// execs, so the process started here is the postmaster itself.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    const string Setpriv = "/usr/bin/setpriv";

    /// <summary>SIGINT: PostgreSQL's fast shutdown, which does not wait for clients to leave.</summary>
    const int FastShutdown = 2;

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    readonly string _directory = Path.Combine(Path.GetTempPath(), "chat-tests", "postgres-" + Guid.NewGuid().ToString("N"));
    readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    readonly List<string> _log = [];
    Process? _postmaster;

    public static bool RunningAsRoot => Environment.UserName == "root";

    public string ConnectionString { get; private set; } = "";

    string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>The newest installed server (Debian keeps each major version under /usr/lib/postgresql/N).</summary>
    static string BinDirectory => Directory.EnumerateDirectories("/usr/lib/postgresql")
        .Where(d => File.Exists(Path.Combine(d, "bin", "postgres")))
        .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
        .Select(d => Path.Combine(d, "bin"))
        .First();

    public async ValueTask InitializeAsync()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(StartTimeout);
        Directory.CreateDirectory(DataDirectory);
        var passwordFile = Path.Combine(_directory, "password");
        await File.WriteAllTextAsync(passwordFile, _password, cts.Token);
        if (RunningAsRoot)
        {
            await RunAsync(("/usr/bin/chown", ["-R", "postgres:postgres", _directory]), cts.Token);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // initdb's demand
        }

        await RunAsync(AsPostgres(Path.Combine(BinDirectory, "initdb"), ["-D", DataDirectory, "-U", "postgres", $"--pwfile={passwordFile}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"]), cts.Token);

        var port = FreePort();
        _postmaster = Start(AsPostgres(Path.Combine(BinDirectory, "postgres"), ["-D", DataDirectory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="]));
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Password = _password,
            Database = "postgres",
        }.ToString();

        await Eventually.UntilAsync(async c =>
        {
            if (_postmaster.HasExited)
            {
                return "exited";
            }

            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync(c);
                return "open";
            }
            catch (NpgsqlException ex)
            {
                return ex.Message;
            }
        }, state => state is "open" or "exited", StartTimeout, "PostgreSQL accepting connections");
        Assert.False(_postmaster.HasExited, $"postgres exited: {string.Join('\n', _log)}");
    }

    /// <summary>A data source on a schema of its own, so each test starts from an empty database without creating one.</summary>
    public async Task<NpgsqlDataSource> CreateSchemaAsync(string schema, CancellationToken cancellationToken)
    {
        await using (var admin = NpgsqlDataSource.Create(ConnectionString))
        await using (var command = admin.CreateCommand($"CREATE SCHEMA \"{schema}\""))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_postmaster is not null)
        {
            Signals.Send(_postmaster.Id, FastShutdown);
            using var cts = new CancellationTokenSource(StopTimeout);
            try
            {
                await _postmaster.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _postmaster.Kill();
                throw new InvalidOperationException($"postgres did not stop within {StopTimeout.TotalSeconds} s of SIGINT and was killed");
            }
            finally
            {
                _postmaster.Dispose();
            }

            Assert.Empty(ProcessesIn(DataDirectory));
        }

        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// Processes working in <paramref name="dataDirectory"/> (also once it is deleted): the postmaster changes into its
    /// data directory and every backend inherits that, so this finds what is left of a server whatever its processes
    /// call themselves.
    /// </summary>
    public static List<int> ProcessesIn(string dataDirectory)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid)
                && WorkingDirectory(entry) is { } cwd
                && (cwd == dataDirectory || cwd.StartsWith(dataDirectory + " (deleted)", StringComparison.Ordinal)))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    static string? WorkingDirectory(string process)
    {
        try
        {
            return new FileInfo(Path.Combine(process, "cwd")).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // ended meanwhile, or not ours to look at
        }
    }

    /// <summary>The command line that runs <paramref name="program"/> as the <c>postgres</c> user when this is root.</summary>
    static (string Program, string[] Arguments) AsPostgres(string program, string[] arguments) =>
        RunningAsRoot ? (Setpriv, ["--reuid=postgres", "--regid=postgres", "--init-groups", program, .. arguments]) : (program, arguments);

    Process Start((string Program, string[] Arguments) command)
    {
        var info = new ProcessStartInfo(command.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    void Record(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    async Task RunAsync((string Program, string[] Arguments) command, CancellationToken cancellationToken)
    {
        using var process = Start(command);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"{command.Program} {string.Join(' ', command.Arguments)} exited with {process.ExitCode}: {string.Join('\n', _log)}");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

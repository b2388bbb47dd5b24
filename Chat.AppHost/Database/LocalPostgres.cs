using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;

namespace Chat.AppHost.Database;

/// <summary>
/// The machine's PostgreSQL (Debian/Ubuntu's <c>postgresql</c> package) and the data directory the AppHost gives it.
/// <c>initdb</c> and <c>postgres</c> refuse to run as root: as root they run as the <c>postgres</c> user through
/// <c>setpriv</c>, which execs, so the process DCP starts, and stops with SIGTERM, is the postmaster itself.
/// </summary>
[UnsupportedOSPlatform("windows")]
static partial class LocalPostgres
{
    const string Installations = "/usr/lib/postgresql";
    const string Setpriv = "/usr/bin/setpriv";
    const string ServerUser = "postgres";

    static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>
    /// The <c>bin</c> directory to run: the version that made <paramref name="dataDirectory"/> when it exists (a
    /// server cannot open another major version's files), else the newest installed; <see langword="null"/> if none.
    /// </summary>
    public static string? FindBinDirectory(string dataDirectory)
    {
        static bool Usable(string bin) => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb"));

        var versionFile = Path.Combine(dataDirectory, "PG_VERSION");
        if (File.Exists(versionFile) && Path.Combine(Installations, File.ReadAllText(versionFile).Trim(), "bin") is var made && Usable(made))
        {
            return made;
        }

        if (!Directory.Exists(Installations) || (RunningAsRoot && !File.Exists(Setpriv)))
        {
            return null;
        }

        return Directory.EnumerateDirectories(Installations)
            .Select(d => (Bin: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(i => i.Version > 0 && Usable(i.Bin))
            .OrderByDescending(i => i.Version)
            .Select(i => i.Bin)
            .FirstOrDefault();
    }

    /// <summary>The command line that runs <paramref name="program"/> as the server's user.</summary>
    public static (string Command, string[] Arguments) AsServerUser(string program, params string[] arguments) =>
        RunningAsRoot
            ? (Setpriv, [$"--reuid={ServerUser}", $"--regid={ServerUser}", "--init-groups", program, .. arguments])
            : (program, arguments);

    /// <summary>
    /// Runs <c>initdb</c> once: a data directory that has its <c>PG_VERSION</c> is kept as it is (and with it the
    /// password it was made with); one without (an initdb that did not finish) is made again.
    /// </summary>
    public static async Task EnsureInitializedAsync(string dataDirectory, string binDirectory, string password, ILogger logger, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var passwordFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, $".{Path.GetFileName(dataDirectory)}-password");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            if (RunningAsRoot)
            {
                MakeTraversable(dataDirectory, logger);
                await RunAsync(("/usr/bin/chown", [$"{ServerUser}:{ServerUser}", dataDirectory, passwordFile]), logger, cancellationToken);
            }

            Log.Initializing(logger, dataDirectory);
            await RunAsync(AsServerUser(Path.Combine(binDirectory, "initdb"), "-D", dataDirectory, "-U", LocalPostgresResource.UserName,
                $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale"), logger, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>The server's user must reach its data directory: each parent gets the search bit for others, no more.</summary>
    static void MakeTraversable(string directory, ILogger logger)
    {
        for (var parent = Directory.GetParent(directory); parent is not null; parent = parent.Parent)
        {
            var mode = File.GetUnixFileMode(parent.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(parent.FullName, mode | UnixFileMode.OtherExecute);
                Log.MadeTraversable(logger, parent.FullName, ServerUser);
            }
        }
    }

    static async Task RunAsync((string Command, string[] Arguments) command, ILogger logger, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command.Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command.Command} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output + await errors).Trim();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command.Command} {string.Join(' ', command.Arguments)} exited with {process.ExitCode}: {text}");
        }

        if (text.Length > 0)
        {
            Log.Output(logger, text);
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Initialising the data directory {DataDirectory} (initdb)")]
        public static partial void Initializing(ILogger logger, string dataDirectory);

        [LoggerMessage(2, LogLevel.Information, "{Directory} made searchable for others, so that the {User} user reaches its data directory")]
        public static partial void MadeTraversable(ILogger logger, string directory, string user);

        [LoggerMessage(3, LogLevel.Information, "{Output}")]
        public static partial void Output(ILogger logger, string output);
    }
}

using System.Text;

namespace Chat.Bench.Diagnostics;

/// <summary>
/// A process of this machine as Linux's <c>/proc</c> shows it: enough to find the app's gateways, history, broker and
/// DCP processes (by their command line and environment) and to read the CPU time they use. Empty elsewhere.
/// </summary>
public sealed record LocalProcess(int Pid, string Name, string CommandLine)
{
    static readonly string Proc = "/proc";

    /// <summary>Every process whose <c>/proc</c> entry can be read.</summary>
    public static IReadOnlyList<LocalProcess> All()
    {
        if (!Directory.Exists(Proc))
        {
            return [];
        }

        var processes = new List<LocalProcess>();
        foreach (var directory in Directory.EnumerateDirectories(Proc))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var name = File.ReadAllText(Path.Combine(directory, "comm")).Trim();
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                processes.Add(new LocalProcess(pid, name, commandLine));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile, or not ours to read
            }
        }

        return processes;
    }

    /// <summary>The process's environment (empty when it cannot be read).</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in File.ReadAllText($"{Proc}/{Pid}/environ", Encoding.UTF8).Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var separator = entry.IndexOf('=', StringComparison.Ordinal);
                if (separator > 0)
                {
                    environment[entry[..separator]] = entry[(separator + 1)..];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // gone meanwhile
        }

        return environment;
    }

    /// <summary>The path of the executable, or the empty string.</summary>
    public string ExecutablePath()
    {
        try
        {
            return new FileInfo($"{Proc}/{Pid}/exe").LinkTarget ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The working directory, or the empty string.</summary>
    public string WorkingDirectory()
    {
        try
        {
            return new DirectoryInfo($"{Proc}/{Pid}/cwd").LinkTarget ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>User plus system CPU time used so far, in seconds; <see langword="null"/> once the process is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"{Proc}/{pid}/stat");
            // The command name is in parentheses and may hold spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / (double)ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The machine's busy and total CPU time so far, in seconds, from <c>/proc/stat</c>.</summary>
    public static (double Busy, double Total)? MachineCpuSeconds()
    {
        try
        {
            var line = File.ReadLines($"{Proc}/stat").First();
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            var total = values.Take(8).Sum();
            return ((total - idle) / (double)ClockTicksPerSecond, total / (double)ClockTicksPerSecond);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>USER_HZ: 100 on every Linux this bench runs on.</summary>
    const int ClockTicksPerSecond = 100;
}

using System.Diagnostics;
using System.Runtime;

namespace Chat.Bench.Diagnostics;

/// <summary>
/// How much time the JIT compiler spends in some .NET processes (the servers of a target, and this one): while it is
/// still compiling (tiered compilation promotes hot methods to optimised code long after start-up), a server is not yet
/// at its steady state, so the bench's warm-up goes on. Reads each server's <c>dotnet.jit.compilation.time</c> (the
/// runtime's own metric, as <c>dotnet-counters</c> does) and this process's <see cref="JitInfo"/>.
/// </summary>
public sealed class JitActivity : IDisposable
{
    const string Instrument = "dotnet.jit.compilation.time";
    static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    readonly List<ProcessMetrics> _servers = [];
    readonly Queue<(TimeSpan At, double Seconds)> _samples = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();

    JitActivity(IEnumerable<int> pids)
    {
        foreach (var pid in pids.Distinct())
        {
            if (ProcessMetrics.TryStart(pid, "System.Runtime", TimeSpan.FromSeconds(1), out _) is { } metrics)
            {
                _servers.Add(metrics);
            }
        }
    }

    /// <summary>Starts watching the given server processes (those that are not .NET, or are gone, are left out).</summary>
    public static JitActivity Start(IEnumerable<int> serverPids) => new(serverPids);

    /// <summary>
    /// Records a sample now; returns the share of a core the JIT compilers used over about the last five seconds
    /// (<see langword="null"/> until that much time was sampled).
    /// </summary>
    public double? Sample()
    {
        var now = _clock.Elapsed;
        var seconds = JitInfo.GetCompilationTime().TotalSeconds + _servers.Sum(s => s.Value(Instrument) ?? 0);
        _samples.Enqueue((now, seconds));
        while (_samples.Count > 2 && now - _samples.ElementAt(1).At >= Window)
        {
            _samples.Dequeue();
        }

        var (oldestAt, oldest) = _samples.Peek();
        return now - oldestAt >= Window ? Math.Max(0, seconds - oldest) / (now - oldestAt).TotalSeconds : null;
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }
}

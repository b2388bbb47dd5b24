namespace Chat.Bench.Diagnostics;

/// <summary>
/// How busy the JIT compiler's background thread (<c>.NET Tiered Compilation Worker</c>, which promotes hot methods to
/// optimised code) of some .NET processes is, from the threads' CPU time in <c>/proc</c>. While it is busy a server is
/// not yet at its steady state: the bench's warm-up goes on until it is quiet.
/// </summary>
public static class JitActivity
{
    /// <summary>The thread's name as Linux keeps it (15 characters).</summary>
    const string TieredCompilationThread = ".NET Tiered Com";

    /// <summary>CPU seconds used so far by each background JIT thread of the processes, by (pid, tid).</summary>
    public static IReadOnlyDictionary<(int Pid, int Tid), double> Sample(IEnumerable<int> pids)
    {
        var sample = new Dictionary<(int, int), double>();
        foreach (var pid in pids)
        {
            foreach (var (tid, _) in LocalProcess.Threads(pid).Where(t => t.Name == TieredCompilationThread))
            {
                if (LocalProcess.ThreadCpuSeconds(pid, tid) is { } seconds)
                {
                    sample[(pid, tid)] = seconds;
                }
            }
        }

        return sample;
    }

    /// <summary>CPU seconds the background JIT threads used between two samples (a thread started meanwhile counts whole).</summary>
    public static double Used(IReadOnlyDictionary<(int Pid, int Tid), double> before, IReadOnlyDictionary<(int Pid, int Tid), double> after) =>
        after.Sum(thread => Math.Max(0, thread.Value - before.GetValueOrDefault(thread.Key)));
}

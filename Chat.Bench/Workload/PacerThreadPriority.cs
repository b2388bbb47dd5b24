using System.Runtime.InteropServices;

namespace Chat.Bench.Workload;

/// <summary>
/// Raises the calling thread's scheduling priority on Linux, so that the pacer wakes when a send is due even while the
/// servers keep both cores busy. First the lowest real-time priority (SCHED_FIFO 1): the kernel groups processes by
/// session (autogroups) and shares the CPU between the groups, so a nice value only ranks a thread within its own
/// process's group. The pacer sleeps most of the time, so it takes little from the servers. Else a nice value of its
/// own; without the privilege (not root, no CAP_SYS_NICE), nothing.
/// </summary>
public static partial class PacerThreadPriority
{
    const int SchedFifo = 1;
    const int PriorityProcess = 0;
    const int Nice = -10;

    /// <summary>What the calling thread now runs at: <c>real-time (SCHED_FIFO 1)</c>, <c>nice -10</c> or <c>unchanged</c>.</summary>
    public static string TryRaise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "unchanged";
        }

        try
        {
            var priority = 1;
            if (SetScheduler(0, SchedFifo, ref priority) == 0)
            {
                return "real-time (SCHED_FIFO 1)";
            }

            return SetPriority(PriorityProcess, GetThreadId(), Nice) == 0 ? $"nice {Nice}" : "unchanged";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return "unchanged";
        }
    }

    /// <summary><c>sched_setscheduler(0, …)</c>: the calling thread; its parameter is a struct of one int.</summary>
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int priority);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}

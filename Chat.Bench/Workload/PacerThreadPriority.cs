using System.Runtime.InteropServices;

namespace Chat.Bench.Workload;

/// <summary>
/// Raises the calling thread's scheduling priority on Linux (a nice value of its own, as <c>renice</c> does for one
/// thread): the pacer sleeps almost all the time, and on a machine whose cores the servers keep busy it must still
/// wake when a send is due. Without the privilege (not root, no CAP_SYS_NICE) it leaves the thread as it is.
/// </summary>
public static partial class PacerThreadPriority
{
    const int PriorityProcess = 0;
    const int Nice = -10;

    /// <summary>Whether the calling thread now runs at the raised priority.</summary>
    public static bool TryRaise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return SetPriority(PriorityProcess, GetThreadId(), Nice) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}

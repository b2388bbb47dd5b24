using System.Runtime.InteropServices;

namespace Chat.Tests.Infrastructure;

/// <summary>POSIX signals (Linux numbers) to processes the app started: SIGTERM for a graceful stop, SIGKILL for a crash, SIGSTOP and SIGCONT for a hang.</summary>
static partial class Signals
{
    public const int Terminate = 15;
    public const int Kill = 9;

    /// <summary>SIGSTOP: the process stops running (and answering) until <see cref="Continue"/>; nothing of its state is lost.</summary>
    public const int Stop = 19;

    public const int Continue = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    public static void Send(int processId, int signal)
    {
        if (SendSignal(processId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}

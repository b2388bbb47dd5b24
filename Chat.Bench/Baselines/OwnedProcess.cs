using System.Diagnostics;

namespace Chat.Bench.Baselines;

/// <summary>
/// A process the bench started for a baseline: killed, with its children, on dispose, and when the bench process exits
/// however it ends (so no server outlives a cancelled run).
/// </summary>
public sealed class OwnedProcess : IDisposable
{
    public OwnedProcess(Process process)
    {
        Process = process;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public Process Process { get; }

    public void Kill()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    void OnProcessExit(object? sender, EventArgs e) => Kill();

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        Process.Dispose();
    }
}

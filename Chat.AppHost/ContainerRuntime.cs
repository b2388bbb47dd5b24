using System.Diagnostics;

namespace Chat.AppHost;

/// <summary>Whether containers can run here: the question every <c>auto</c> choice of infrastructure asks.</summary>
static class ContainerRuntime
{
    // Asked once per AppHost: broker and database both want to know, and `docker info` can take seconds.
    static readonly Lazy<bool> Answer = new(Ask);

    /// <summary>Whether <c>docker info</c> or <c>podman info</c> succeeds within a few seconds.</summary>
    public static bool Answers() => Answer.Value;

    static bool Ask()
    {
        foreach (var runtime in new[] { "docker", "podman" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(runtime, "info")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                });
                if (process is null)
                {
                    continue;
                }

                process.StandardOutput.ReadToEndAsync();
                process.StandardError.ReadToEndAsync();
                if (process.WaitForExit(TimeSpan.FromSeconds(5)) && process.ExitCode == 0)
                {
                    return true;
                }

                process.Kill(entireProcessTree: true);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed
            }
        }

        return false;
    }
}

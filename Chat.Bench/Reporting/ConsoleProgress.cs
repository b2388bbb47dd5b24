using System.Globalization;
using Chat.Bench.Workload;

namespace Chat.Bench.Reporting;

/// <summary>One live status line on a terminal (rewritten in place); nothing when the output is redirected.</summary>
public sealed class ConsoleProgress(TextWriter console, string prefix) : IProgress<WorkloadProgress>, IProgress<string>
{
    readonly bool _live = !Console.IsOutputRedirected;
    int _width;

    public void Report(WorkloadProgress value)
    {
        var rate = value.Seconds > 0 ? value.Delivered / value.Seconds : 0;
        Report(value.Phase == "running"
            ? string.Create(CultureInfo.InvariantCulture, $"{value.Delivered:N0}/{value.Expected:N0} deliveries ({rate:N0}/s), accepted {value.Accepted:N0}/{value.Sent:N0}, {value.Seconds:0.0} s")
            : value.Phase);
    }

    public void Report(string value)
    {
        if (!_live)
        {
            return;
        }

        var line = $"{prefix} {value}";
        console.Write("\r" + line.PadRight(_width));
        _width = line.Length;
    }

    /// <summary>Clears the live line so a final row can take its place.</summary>
    public void Clear()
    {
        if (_live && _width > 0)
        {
            console.Write("\r" + new string(' ', _width) + "\r");
            _width = 0;
        }
    }
}

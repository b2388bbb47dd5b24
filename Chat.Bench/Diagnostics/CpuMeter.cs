using Chat.Bench.Workload;

namespace Chat.Bench.Diagnostics;

/// <summary>
/// CPU seconds used during a round by each group of processes (the bench itself, the gateways, history, the broker, DCP,
/// Redis), and by the whole machine: on two cores every process competes with every other, so this is where the time goes.
/// </summary>
public sealed class CpuMeter(Func<IReadOnlyDictionary<string, IReadOnlyList<int>>> groups) : IRoundMeter
{
    /// <summary>The key of the machine's busy CPU seconds in <see cref="Stop"/>'s result.</summary>
    public const string Machine = "machine";

    /// <summary>The key of the machine's available CPU seconds (cores × wall time).</summary>
    public const string MachineCapacity = "machine capacity";

    Dictionary<string, (IReadOnlyList<int> Pids, double Start)> _start = [];
    (double Busy, double Total)? _machineStart;

    public void Start()
    {
        _start = groups().ToDictionary(g => g.Key, g => (g.Value, g.Value.Sum(pid => LocalProcess.CpuSeconds(pid) ?? 0)));
        _machineStart = LocalProcess.MachineCpuSeconds();
    }

    public IReadOnlyDictionary<string, double> Stop()
    {
        var used = _start.ToDictionary(g => g.Key, g => Math.Max(0, g.Value.Pids.Sum(pid => LocalProcess.CpuSeconds(pid) ?? 0) - g.Value.Start));
        if (_machineStart is { } start && LocalProcess.MachineCpuSeconds() is { } end)
        {
            used[Machine] = end.Busy - start.Busy;
            used[MachineCapacity] = end.Total - start.Total;
        }

        return used;
    }
}

using System.Diagnostics;
using Chat.Bench.Diagnostics;
using Chat.Bench.Targets;
using Chat.Bench.Workload;

namespace Chat.Bench.Scenarios;

/// <summary>One gateway's own figures (from its metrics) at one moment.</summary>
public sealed record GatewaySample(string Node, double? Connections, double? WorkingSetBytes, double? GcHeapBytes);

/// <summary>The gateways after one step of opening idle connections.</summary>
public sealed record IdleStep(int Connections, double OpenSeconds, IReadOnlyList<GatewaySample> Gateways);

/// <summary>How many idle connections fit, and what each costs the gateways.</summary>
public sealed record IdleResult
{
    public required int Requested { get; init; }
    public required int Opened { get; init; }
    public string? Problem { get; init; }
    public required IReadOnlyList<GatewaySample> Baseline { get; init; }
    public required IReadOnlyList<IdleStep> Steps { get; init; }

    /// <summary>Working-set growth per connection, over all gateways, from the baseline to the last step (bytes).</summary>
    public double? WorkingSetPerConnection => PerConnection(s => s.WorkingSetBytes);

    /// <summary>Managed-heap growth per connection (bytes), after a forced full GC in each gateway.</summary>
    public double? GcHeapPerConnection => PerConnection(s => s.GcHeapBytes);

    double? PerConnection(Func<GatewaySample, double?> figure)
    {
        if (Steps.Count == 0)
        {
            return null;
        }

        var last = Steps[^1].Gateways;
        double grown = 0, connections = 0;
        foreach (var sample in last)
        {
            var before = Baseline.FirstOrDefault(b => b.Node == sample.Node);
            if (before is null || figure(sample) is not { } after || figure(before) is not { } start || sample.Connections is not { } now)
            {
                return null;
            }

            grown += after - start;
            connections += now - (before.Connections ?? 0);
        }

        return connections > 0 ? grown / connections : null;
    }
}

/// <summary>
/// Idle connections: opens WebSockets to the gateways in steps, each greeted by <c>welcome</c> and then silent, and
/// reads after each step what the gateways themselves report (connections, working set, GC heap) through their
/// metrics. Stops at the requested count, at the first failure, or near the bench's own open-file limit.
/// </summary>
public static class IdleScenario
{
    public const string Name = "idle";

    const string Meters = "Chat.Gateway;System.Runtime";
    const int Parallelism = 32;

    public static async Task<IdleResult> RunAsync(ChatApp app, IBenchTarget target, int requested, int step, TimeSpan hold,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var limit = Math.Max(0, OpenFileLimit() - 512);
        var goal = Math.Min(requested, limit);
        var monitors = new List<(GatewayReplica Gateway, ProcessMetrics Metrics)>();
        var problems = new List<string>();
        if (goal < requested)
        {
            problems.Add($"capped at {goal} by the bench's open-file limit ({OpenFileLimit()})");
        }

        foreach (var gateway in app.Gateways)
        {
            if (gateway.Pid is not { } pid)
            {
                problems.Add($"gateway {gateway.Node}: no local process, so no memory figures");
                continue;
            }

            if (ProcessMetrics.TryStart(pid, Meters, TimeSpan.FromSeconds(1), out var problem) is { } metrics)
            {
                monitors.Add((gateway, metrics));
            }
            else
            {
                problems.Add(problem!);
            }
        }

        var clients = new List<IBenchClient>(goal);
        var steps = new List<IdleStep>();
        var handler = new DeliveryTracker([], 0);
        try
        {
            var baseline = await SampleAsync(monitors, cancellationToken);
            var failed = false;
            while (clients.Count < goal && !failed)
            {
                var next = Math.Min(goal, clients.Count + step);
                var opened = new IBenchClient?[next - clients.Count];
                var offset = clients.Count;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await Parallel.ForAsync(0, opened.Length, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                        async (i, token) => opened[i] = await target.ConnectAsync(offset + i, handler, token));
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException or TimeoutException or System.Net.Sockets.SocketException or HttpRequestException)
                {
                    failed = true;
                    problems.Add($"opening connection {offset + opened.Count(c => c is not null) + 1} failed: {ex.GetBaseException().Message}");
                }

                clients.AddRange(opened.Where(c => c is not null)!);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var sample = await SampleAsync(monitors, cancellationToken);
                steps.Add(new IdleStep(clients.Count, seconds, sample));
                progress?.Report($"{clients.Count:N0} idle connections open");
            }

            if (hold > TimeSpan.Zero)
            {
                progress?.Report($"{clients.Count:N0} idle connections open; holding them {hold.TotalSeconds:0} s "
                    + $"(gateway pids {string.Join(", ", app.Gateways.Select(g => g.Pid))})");
                await Task.Delay(hold, cancellationToken);
            }

            return new IdleResult
            {
                Requested = requested,
                Opened = clients.Count,
                Baseline = baseline,
                Steps = steps,
                Problem = problems.Count == 0 ? null : string.Join("; ", problems),
            };
        }
        finally
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (client, _) =>
            {
                try
                {
                    await client.CloseAsync(closing.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException)
                {
                    // best effort
                }

                await client.DisposeAsync();
            });

            foreach (var (_, metrics) in monitors)
            {
                metrics.Dispose();
            }
        }
    }

    /// <summary>Forces a full GC in every gateway, waits for two fresh publications from each, then reads them.</summary>
    static async Task<IReadOnlyList<GatewaySample>> SampleAsync(List<(GatewayReplica Gateway, ProcessMetrics Metrics)> monitors, CancellationToken cancellationToken)
    {
        await Task.WhenAll(monitors.Select(m => ProcessMetrics.InduceGcAsync(m.Metrics.Pid, cancellationToken)));
        await Task.WhenAll(monitors.Select(m => m.Metrics.WaitForUpdatesAsync(2, TimeSpan.FromSeconds(10), cancellationToken)));
        return monitors.Select(m => new GatewaySample(
            m.Gateway.Node,
            m.Metrics.Value("chat.gateway.connections"),
            m.Metrics.Value("dotnet.process.memory.working_set"),
            m.Metrics.Value("dotnet.gc.last_collection.heap.size"))).ToList();
    }

    /// <summary>The soft limit of open files of this process (Linux), or a large number elsewhere.</summary>
    static int OpenFileLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: > 3 } && int.TryParse(fields[3], out var soft) ? soft : 1_000_000;
        }
        catch (IOException)
        {
            return 1_000_000;
        }
    }
}

using System.Diagnostics;
using HdrHistogram;

namespace Chat.Bench.Workload;

/// <summary>Measures something around the timed part of a round (CPU time per process, for example).</summary>
public interface IRoundMeter
{
    void Start();

    IReadOnlyDictionary<string, double> Stop();
}

/// <summary>
/// Runs one round of a <see cref="WorkloadPlan"/> against a target: connect every client, join, wait for the start signal,
/// send, receive, and check every delivery. The same code drives every target; only the <see cref="IBenchClient"/> differs.
/// </summary>
public static class WorkloadRunner
{
    const int ConnectParallelism = 32;
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    public static async Task<RoundResult> RunAsync(IBenchTarget target, WorkloadPlan plan, int repetition,
        IProgress<WorkloadProgress>? progress, IRoundMeter? meter, CancellationToken cancellationToken)
    {
        var n = plan.Clients;
        var members = plan.Members;
        var trackers = new DeliveryTracker[n];
        var latencies = new LongConcurrentHistogram(1, DeliveryTracker.HighestLatencyMicroseconds, 3);
        for (var i = 0; i < n; i++)
        {
            trackers[i] = new DeliveryTracker(members[plan.RoomOfClient[i]], plan.MessagesPerClient, plan.Window, latencies);
        }

        var clients = new IBenchClient?[n];
        var problems = new List<string>();
        long started = 0;
        var gcPause = TimeSpan.Zero;
        PacedRound? paced = null;
        IReadOnlyDictionary<string, double> cpu = new Dictionary<string, double>();
        try
        {
            progress?.Report(new WorkloadProgress("connecting", 0, 0, 0, plan.ExpectedDeliveries, 0));
            await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cancellationToken },
                async (i, token) => clients[i] = await target.ConnectAsync(i, trackers[i], token));

            progress?.Report(new WorkloadProgress("joining", 0, 0, 0, plan.ExpectedDeliveries, 0));
            await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cancellationToken },
                async (i, token) => await clients[i]!.JoinAsync(plan.RoomOfClient[i], token));

            // The start signal: every client is connected and in its room; all start sending at once, or on their schedule.
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            paced = plan.Rate > 0 ? new PacedRound([.. clients.Select(c => c!)], plan, stop.Token) : null;
            var senders = paced is null
                ? Enumerable.Range(0, n).Select(i => SendAllAsync(clients[i]!, trackers[i], i, plan, signal.Task, stop.Token)).ToArray()
                : [];

            meter?.Start();
            gcPause = GC.GetTotalPauseDuration();
            // A paced round starts a little ahead, so that the pacer's thread runs before the first send is due.
            started = Stopwatch.GetTimestamp() + (paced is null ? 0 : Stopwatch.Frequency / 100);
            paced?.Start(started, stop.Token);
            signal.SetResult();
            var stalled = await WaitForDeliveriesAsync(trackers, plan, started, progress, cancellationToken);
            cpu = meter?.Stop() ?? cpu;
            gcPause = GC.GetTotalPauseDuration() - gcPause;
            if (stalled)
            {
                problems.Add($"nothing arrived for {plan.StallTimeout.TotalSeconds:0} s; what was missing then is counted as lost");
            }

            stop.Cancel();
            foreach (var sender in senders)
            {
                if (await Task.WhenAny(sender) is { IsFaulted: true } faulted)
                {
                    problems.Add($"a sender failed: {faulted.Exception!.GetBaseException().Message}");
                }
            }

            if (paced is not null)
            {
                problems.AddRange(await paced.StopAsync());
            }
        }
        finally
        {
            using var closing = new CancellationTokenSource(CloseTimeout);
            await Parallel.ForEachAsync(clients.Where(c => c is not null), new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism },
                async (client, _) =>
                {
                    try
                    {
                        await client!.CloseAsync(closing.Token);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException)
                    {
                        // Closing is best effort; the round is over.
                    }

                    await client!.DisposeAsync();
                });
        }

        var (stored, expectedStored) = await StoredCount.CountAsync(target, plan, cancellationToken);

        var closes = trackers.Select(t => t.CloseReason).Where(r => r is not null).Distinct().ToList();
        if (closes.Count > 0)
        {
            problems.Add($"closed early: {string.Join(", ", closes)}");
        }

        var rejections = trackers.Select(t => t.LastRejection).Where(r => r is not null).Distinct().ToList();
        if (rejections.Count > 0)
        {
            problems.Add($"refused: {string.Join(", ", rejections)}");
        }

        return Summarise(target.Name, plan, repetition, trackers, started, problems) with
        {
            Spread = clients.Where(c => c is not null).GroupBy(c => c!.Node).ToDictionary(g => g.Key, g => g.Count()),
            Stored = stored,
            ExpectedStored = expectedStored,
            CpuSeconds = cpu,
            PacerLag = paced?.PacerLag.Summary(),
            SendLag = paced?.SendLag.Summary(),
            PacerPriority = paced?.PacerPriority,
            BenchGcPauseMilliseconds = gcPause.TotalMilliseconds,
        };
    }

    /// <summary>Builds a round's figures from its receivers; also used by the raw broker baseline.</summary>
    public static RoundResult Summarise(string target, WorkloadPlan plan, int repetition, IReadOnlyList<DeliveryTracker> trackers,
        long started, IReadOnlyList<string> problems)
    {
        var histogram = new LongHistogram(DeliveryTracker.HighestLatencyMicroseconds, 3);
        foreach (var tracker in trackers)
        {
            tracker.AddLatenciesTo(histogram);
        }

        foreach (var shared in trackers.Select(t => t.SharedLatencies).OfType<LongConcurrentHistogram>().Distinct())
        {
            histogram.Add(shared);
        }

        var lastAccept = trackers.Max(t => t.LastAcceptTimestamp);
        var lastReceipt = trackers.Max(t => t.LastReceiptTimestamp);
        return new RoundResult
        {
            Target = target,
            Scenario = plan.Scenario,
            Repetition = repetition,
            Clients = plan.Clients,
            MessagesPerClient = plan.MessagesPerClient,
            Rooms = plan.Members.Count,
            OfferedPerSecond = plan.OfferedPerSecond,
            Sent = (long)plan.Clients * plan.MessagesPerClient,
            Accepted = trackers.Sum(t => t.Accepted),
            Rejected = trackers.Sum(t => t.Rejected),
            ExpectedDeliveries = trackers.Sum(t => t.Expected),
            Delivered = trackers.Sum(t => t.Unique),
            Duplicated = trackers.Sum(t => t.Duplicates),
            Reordered = trackers.Sum(t => t.Reordered),
            Stray = trackers.Sum(t => t.Stray),
            AcceptSeconds = started > 0 && lastAccept > started ? Stopwatch.GetElapsedTime(started, lastAccept).TotalSeconds : 0,
            DeliverySeconds = started > 0 && lastReceipt > started ? Stopwatch.GetElapsedTime(started, lastReceipt).TotalSeconds : 0,
            Latency = LatencySummary.From(histogram),
            Problem = problems.Count == 0 ? null : string.Join("; ", problems),
        };
    }

    /// <summary>Waits until every receiver has everything and every send is answered, or nothing moved for the stall timeout.</summary>
    public static async Task<bool> WaitForDeliveriesAsync(IReadOnlyList<DeliveryTracker> trackers, WorkloadPlan plan, long started,
        IProgress<WorkloadProgress>? progress, CancellationToken cancellationToken)
    {
        var sent = (long)plan.Clients * plan.MessagesPerClient;
        var expected = trackers.Sum(t => t.Expected);
        long lastSeen = -1;
        var lastChange = Stopwatch.GetTimestamp();
        var lastReport = 0L;
        while (true)
        {
            await Task.Delay(PollInterval, cancellationToken);
            long delivered = 0, answered = 0, accepted = 0;
            foreach (var tracker in trackers)
            {
                delivered += tracker.Unique + tracker.Duplicates;
                accepted += tracker.Accepted;
                answered += tracker.Accepted + tracker.Rejected;
            }

            var now = Stopwatch.GetTimestamp();
            if (progress is not null && Stopwatch.GetElapsedTime(lastReport, now) >= ProgressInterval)
            {
                lastReport = now;
                progress.Report(new WorkloadProgress("running", sent, accepted, delivered, expected, Stopwatch.GetElapsedTime(started, now).TotalSeconds));
            }

            var unique = trackers.Sum(t => t.Unique);
            if (unique >= expected && answered >= sent)
            {
                progress?.Report(new WorkloadProgress("done", sent, accepted, delivered, expected, Stopwatch.GetElapsedTime(started, now).TotalSeconds));
                return false;
            }

            if (delivered + answered != lastSeen)
            {
                lastSeen = delivered + answered;
                lastChange = now;
            }
            else if (Stopwatch.GetElapsedTime(lastChange, now) >= plan.StallTimeout)
            {
                return true;
            }
        }
    }

    static async Task SendAllAsync(IBenchClient client, DeliveryTracker tracker, int index, WorkloadPlan plan, Task signal, CancellationToken cancellationToken)
    {
        await signal;
        var room = plan.RoomOfClient[index];
        for (var sequence = 0; sequence < plan.MessagesPerClient; sequence++)
        {
            await tracker.WaitToSendAsync(cancellationToken);
            await client.SendAsync(room, new BenchPayload(index, sequence, Stopwatch.GetTimestamp()), cancellationToken);
        }
    }
}

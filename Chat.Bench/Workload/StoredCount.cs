namespace Chat.Bench.Workload;

/// <summary>
/// What a target stored for a round's rooms, counted once the round is over. History stores behind a queue, so the
/// count is repeated while it grows; it ends when every room is complete or the total has not grown for the plan's
/// settle time: one wait for the whole round, so that a hundred incomplete rooms do not each wait that long.
/// </summary>
public static class StoredCount
{
    const int Parallelism = 8;
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Stored and expected messages over all rooms; both <see langword="null"/> for a target that stores nothing.</summary>
    public static async Task<(long? Stored, long? Expected)> CountAsync(IBenchTarget target, WorkloadPlan plan, CancellationToken cancellationToken)
    {
        var expected = plan.Members.ToDictionary(m => m.Key, m => (long)m.Value.Length * plan.MessagesPerClient, StringComparer.Ordinal);
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var total = -1L;
        var lastGrowth = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var incomplete = expected.Where(e => counts.GetValueOrDefault(e.Key) < e.Value).Select(e => e.Key).ToList();
            var storesNothing = false;
            await Parallel.ForEachAsync(incomplete, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (room, token) =>
            {
                // No settle per room: the wait is this loop's, over all rooms.
                if (await target.CountStoredAsync(room, expected[room], TimeSpan.Zero, token) is { } count)
                {
                    counts[room] = count;
                }
                else
                {
                    storesNothing = true;
                }
            });

            if (storesNothing)
            {
                return (null, null);
            }

            var now = counts.Values.Sum();
            if (expected.All(e => counts.GetValueOrDefault(e.Key) >= e.Value))
            {
                return (now, expected.Values.Sum());
            }

            if (now != total)
            {
                total = now;
                lastGrowth = TimeProvider.System.GetTimestamp();
            }
            else if (TimeProvider.System.GetElapsedTime(lastGrowth) >= plan.StoreSettle)
            {
                return (now, expected.Values.Sum());
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}

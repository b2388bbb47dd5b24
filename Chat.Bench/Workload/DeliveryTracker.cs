using System.Diagnostics;
using HdrHistogram;

namespace Chat.Bench.Workload;

/// <summary>
/// What one receiver (a client, or one queue of the raw broker) got: a bit per expected message (sender × sequence), so
/// every delivery is checked for loss and duplication, the highest sequence seen from each sender, so a delivery that
/// overtook an earlier one of its sender is counted as reordered, and a histogram of end-to-end latencies in microseconds.
/// Also counts what the same client sent and had accepted. Safe to call from several threads.
/// </summary>
public sealed class DeliveryTracker : IBenchClientHandler
{
    /// <summary>Latencies above this (in µs) are recorded as this: ten minutes is a failed run anyway.</summary>
    public const long HighestLatencyMicroseconds = 600_000_000;

    readonly Lock _gate = new();
    readonly Dictionary<int, int> _senderSlots;
    readonly int _messagesPerSender;
    readonly ulong[] _seen;
    readonly int[] _highest;
    readonly HistogramBase _latency;
    readonly SemaphoreSlim? _window;
    long _unique;
    long _duplicates;
    long _reordered;
    long _stray;
    long _lastReceipt;
    long _accepted;
    long _rejected;
    long _lastAccept;

    /// <param name="senders">The senders whose messages this receiver must get (the members of its room).</param>
    /// <param name="messagesPerSender">Messages each of them sends.</param>
    /// <param name="window">Sends this client may have unaccepted at once; 0 for no limit.</param>
    /// <param name="sharedLatencies">
    /// A thread-safe histogram that every receiver of a round records into, instead of one each: a histogram is 170 KB on
    /// the large object heap, and 2,000 of them would weigh 340 MB on the load generator's heap.
    /// </param>
    public DeliveryTracker(IReadOnlyList<int> senders, int messagesPerSender, int window = 0, LongConcurrentHistogram? sharedLatencies = null)
    {
        _latency = (HistogramBase?)sharedLatencies ?? new LongHistogram(HighestLatencyMicroseconds, 3);
        SharedLatencies = sharedLatencies;
        _senderSlots = new Dictionary<int, int>(senders.Count);
        for (var i = 0; i < senders.Count; i++)
        {
            _senderSlots[senders[i]] = i;
        }

        _messagesPerSender = messagesPerSender;
        Expected = (long)senders.Count * messagesPerSender;
        _seen = new ulong[(Expected + 63) / 64];
        _highest = new int[senders.Count];
        Array.Fill(_highest, -1);
        _window = window > 0 ? new SemaphoreSlim(window, window) : null;
    }

    public long Expected { get; }

    /// <summary>The round's shared latency histogram, if this receiver records into one.</summary>
    public LongConcurrentHistogram? SharedLatencies { get; }

    public long Unique => Volatile.Read(ref _unique);

    public long Duplicates => Volatile.Read(ref _duplicates);

    public long Stray => Volatile.Read(ref _stray);

    /// <summary>
    /// Distinct deliveries that arrived after a later message of the same sender (PROTOCOL.md promises each sender's
    /// order); each late one counts once.
    /// </summary>
    public long Reordered => Volatile.Read(ref _reordered);

    public long Accepted => Volatile.Read(ref _accepted);

    public long Rejected => Volatile.Read(ref _rejected);

    public long LastReceiptTimestamp => Interlocked.Read(ref _lastReceipt);

    public long LastAcceptTimestamp => Volatile.Read(ref _lastAccept);

    public string? LastRejection { get; private set; }

    /// <summary>Why the server closed this client's connection early, if it did.</summary>
    public string? CloseReason { get; private set; }

    public bool IsComplete => Unique >= Expected;

    /// <summary>Waits for room in the send window (no-op without a window).</summary>
    public ValueTask WaitToSendAsync(CancellationToken cancellationToken) =>
        _window is null ? ValueTask.CompletedTask : new ValueTask(_window.WaitAsync(cancellationToken));

    public void OnAccepted()
    {
        Volatile.Write(ref _lastAccept, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _accepted);
        _window?.Release();
    }

    public void OnRejected(string code)
    {
        LastRejection = code;
        Interlocked.Increment(ref _rejected);
        _window?.Release();
    }

    public void OnClosed(string reason) => CloseReason ??= reason;

    public void OnMessage(BenchPayload? payload)
    {
        var now = Stopwatch.GetTimestamp();
        if (payload is not { } p || !_senderSlots.TryGetValue(p.Sender, out var slot) || (uint)p.Sequence >= (uint)_messagesPerSender)
        {
            Interlocked.Increment(ref _stray);
            return;
        }

        var bit = (long)slot * _messagesPerSender + p.Sequence;
        var micros = Math.Clamp(Stopwatch.GetElapsedTime(p.SentTimestamp, now).Ticks / TimeSpan.TicksPerMicrosecond, 0, HighestLatencyMicroseconds);
        lock (_gate)
        {
            ref var word = ref _seen[bit >> 6];
            var mask = 1UL << (int)(bit & 63);
            if ((word & mask) != 0)
            {
                _duplicates++;
                return;
            }

            word |= mask;
            if (p.Sequence < _highest[slot])
            {
                _reordered++;
            }
            else
            {
                _highest[slot] = p.Sequence;
            }

            _latency.RecordValue(micros);
            _unique++;
            Interlocked.Exchange(ref _lastReceipt, now);
        }
    }

    /// <summary>Adds this receiver's latencies to <paramref name="histogram"/> (none when it records into a shared one).</summary>
    public void AddLatenciesTo(HistogramBase histogram)
    {
        if (SharedLatencies is not null)
        {
            return;
        }

        lock (_gate)
        {
            histogram.Add(_latency);
        }
    }
}

using Chat.Bench.Workload;

namespace Chat.Tests.Unit;

/// <summary>
/// The paced rounds' schedule and pacer: staggered clients, every payload stamped with its scheduled time, and open
/// loop (a send that is slow or never completes moves nothing else). The pacer runs on a fake clock that moves only
/// when the pacer sleeps or a dispatch says it took time, so nothing here depends on real time.
/// </summary>
public sealed class BenchPacerTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Each_client_sends_at_its_rate_and_the_clients_are_staggered_evenly_over_one_period()
    {
        var schedule = new PacedSchedule(Clients: 4, Rate: 20, MessagesPerClient: 3);
        const long frequency = 1_000_000; // microseconds

        // Client i is offset by i / (N · R) = i × 12.5 ms; each client's messages are 1 / R = 50 ms apart.
        Assert.Equal([0L, 12_500, 25_000, 37_500], Enumerable.Range(0, 4).Select(i => schedule.Due(0, i, 0, frequency)));
        Assert.Equal([37_500L, 87_500, 137_500], Enumerable.Range(0, 3).Select(k => schedule.Due(0, 3, k, frequency)));
        Assert.Equal(80, schedule.OfferedPerSecond);
        Assert.Equal(12, schedule.Count);
    }

    [Fact]
    public void The_pacer_hands_out_every_message_once_in_time_order_stamped_with_its_scheduled_time_never_early()
    {
        var schedule = new PacedSchedule(Clients: 5, Rate: 20, MessagesPerClient: 4);
        var clock = new FakeClock();
        var start = clock.GetTimestamp() + clock.Ticks(TimeSpan.FromMilliseconds(3));
        var dispatched = new List<(int Client, int Sequence, long Scheduled, long At)>();

        new Pacer(schedule, clock, clock.Advance).Run(start, (c, s, due) => dispatched.Add((c, s, due, clock.GetTimestamp())), TestContext.Current.CancellationToken);

        Assert.Equal(20, dispatched.Count);
        Assert.Equal(20, dispatched.Select(d => (d.Client, d.Sequence)).Distinct().Count());
        Assert.All(dispatched, d => Assert.Equal(schedule.Due(start, d.Client, d.Sequence, clock.TimestampFrequency), d.Scheduled));
        Assert.All(dispatched, d => Assert.True(d.At >= d.Scheduled, "dispatched before it was due"));
        Assert.Equal(dispatched.OrderBy(d => d.Scheduled), dispatched);
    }

    [Fact]
    public void A_dispatch_that_takes_long_does_not_move_the_schedule_of_the_messages_after_it()
    {
        var schedule = new PacedSchedule(Clients: 2, Rate: 10, MessagesPerClient: 10); // a send every 50 ms, 500 ms in all
        var clock = new FakeClock();
        var start = clock.GetTimestamp();
        var dispatched = new List<(int Client, int Sequence, long Scheduled, long At)>();

        new Pacer(schedule, clock, clock.Advance).Run(start, (c, s, due) =>
        {
            dispatched.Add((c, s, due, clock.GetTimestamp()));
            if (dispatched.Count == 1)
            {
                clock.Advance(TimeSpan.FromMilliseconds(220)); // the first send stalls the pacer for 220 ms
            }
        }, TestContext.Current.CancellationToken);

        Assert.All(dispatched, d => Assert.Equal(schedule.Due(start, d.Client, d.Sequence, clock.TimestampFrequency), d.Scheduled));
        // The four sends due during the stall go out at once after it, with their own scheduled times …
        Assert.Equal(4, dispatched.Count(d => d.At == start + clock.Ticks(TimeSpan.FromMilliseconds(220)) && d.Scheduled < d.At));
        // … and the rest on schedule again: the last is due at 19 × 50 ms whatever happened before.
        Assert.Equal(start + clock.Ticks(TimeSpan.FromMilliseconds(950)), dispatched[^1].Scheduled);
        Assert.True(dispatched[^1].At - dispatched[^1].Scheduled < clock.Ticks(TimeSpan.FromMilliseconds(2)));
    }

    [Fact]
    public async Task A_client_whose_write_hangs_holds_back_only_its_own_messages_which_keep_their_scheduled_times()
    {
        var ct = TestContext.Current.CancellationToken;
        const int messages = 5;
        var schedule = new PacedSchedule(Clients: 3, Rate: 20, MessagesPerClient: messages);
        var clients = Enumerable.Range(0, 3).Select(_ => new RecordingClient(messages)).ToArray();
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        clients[1].Hang = hang.Task;
        var lag = new ScheduleLag();
        var senders = clients.Select(c => new PacedSender(c, "room", lag, ct)).ToArray();
        var clock = new FakeClock();
        var start = clock.GetTimestamp();

        // The pacer does not wait for any write: it hands out the whole round while client 1's first write hangs.
        new Pacer(schedule, clock, clock.Advance).Run(start, (c, s, due) => senders[c].Enqueue(new BenchPayload(c, s, due)), ct);
        await Task.WhenAll(clients[0].All, clients[2].All).WaitAsync(Timeout, ct);
        await clients[1].FirstCall.WaitAsync(Timeout, ct);

        Assert.Equal(1, clients[1].Calls);
        Assert.Equal(messages - 1, senders[1].Queued);

        hang.SetResult();
        await clients[1].All.WaitAsync(Timeout, ct);
        await Task.WhenAll(senders.Select(s => s.CompleteAsync())).WaitAsync(Timeout, ct);

        foreach (var (client, index) in clients.Select((c, i) => (c, i)))
        {
            Assert.Equal(Enumerable.Range(0, messages), client.Sent.Select(p => p.Sequence));
            Assert.All(client.Sent, p => Assert.Equal(schedule.Due(start, index, p.Sequence, clock.TimestampFrequency), p.SentTimestamp));
        }

        Assert.All(senders, s => Assert.Null(s.Failure));
        Assert.Equal(15, lag.Summary().Count);
    }

    /// <summary>A clock that moves only when told to.</summary>
    sealed class FakeClock : TimeProvider
    {
        long _now = 1_000;

        public override long GetTimestamp() => _now;

        public long Ticks(TimeSpan span) => span.Ticks * TimestampFrequency / TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan span) => _now += Ticks(span);
    }

    /// <summary>A client that records what it was asked to send; its first write can be made to hang.</summary>
    sealed class RecordingClient(int expected) : IBenchClient
    {
        readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly List<BenchPayload> _sent = [];

        public Task? Hang { get; set; }

        public Task All => _all.Task;

        public Task FirstCall => _first.Task;

        public int Calls { get; private set; }

        public IReadOnlyList<BenchPayload> Sent => _sent;

        public string Node => "fake";

        public Task JoinAsync(string room, CancellationToken cancellationToken) => Task.CompletedTask;

        public async ValueTask SendAsync(string room, BenchPayload payload, CancellationToken cancellationToken)
        {
            Calls++;
            _first.TrySetResult();
            if (Calls == 1 && Hang is not null)
            {
                await Hang.WaitAsync(cancellationToken);
            }

            _sent.Add(payload);
            if (_sent.Count == expected)
            {
                _all.TrySetResult();
            }
        }

        public Task CloseAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

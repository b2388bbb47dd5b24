using System.Net.WebSockets;
using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Chat.Tests.Unit.TestConnections;

namespace Chat.Tests.Unit;

/// <summary>The slow-client guard: a reader that takes no write is the client's fault; a server that falls behind is not.</summary>
public sealed class OutboxTests : IDisposable
{
    static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(5);
    readonly FakeTimeProvider _time = new();
    readonly ProcessStallWatch _stalls;

    public OutboxTests() => _stalls = new ProcessStallWatch(_time);

    public void Dispose() => _stalls.Dispose();

    Outbox Create(Stream stream, int capacity = 1024) =>
        new(WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true }), writes: null, capacity, StallTimeout, _stalls,
            TestConnections.Telemetry, _time);

    /// <summary>Time passes with this process running on time: its stall watch ticks throughout.</summary>
    void Run(TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += ProcessStallWatch.Period)
        {
            _time.Advance(ProcessStallWatch.Period);
            _stalls.Tick();
        }
    }

    [Fact]
    public async Task A_reader_whose_socket_takes_no_write_for_the_stall_timeout_is_reported_once_frames_wait()
    {
        var socket = new StalledStream();
        using var outbox = Create(socket);
        using var cancel = new CancellationTokenSource();
        var writing = outbox.WriteAllAsync(cancel.Token);
        Assert.Equal(OutboxResult.Queued, outbox.TryAdd(Frame("first")));
        await socket.WriteStarted.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);

        Run(StallTimeout + TimeSpan.FromSeconds(1));
        var results = Enumerable.Range(0, 100).Select(i => outbox.TryAdd(Frame($"m{i}"))).ToList();

        Assert.Equal(OutboxResult.ReaderStalled, results[^1]);
        Assert.All(results.Take(60), r => Assert.Equal(OutboxResult.Queued, r)); // a few waiting frames are no evidence
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_write_that_waited_while_this_process_did_not_run_is_not_blamed_on_the_client()
    {
        var socket = new StalledStream();
        using var outbox = Create(socket);
        using var cancel = new CancellationTokenSource();
        var writing = outbox.WriteAllAsync(cancel.Token);
        Assert.Equal(OutboxResult.Queued, outbox.TryAdd(Frame("first")));
        await socket.WriteStarted.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(30)); // the process was stopped: no tick
        Assert.All(Enumerable.Range(0, 100).Select(i => outbox.TryAdd(Frame($"a{i}"))), r => Assert.Equal(OutboxResult.Queued, r));
        Run(StallTimeout - TimeSpan.FromSeconds(1)); // resumed: the client gets its full timeout from now on
        Assert.Equal(OutboxResult.Queued, outbox.TryAdd(Frame("within the timeout")));

        Run(TimeSpan.FromSeconds(2));
        Assert.Equal(OutboxResult.ReaderStalled, outbox.TryAdd(Frame("past the timeout")));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_server_that_falls_behind_with_no_write_pending_is_not_a_slow_reader_until_the_hard_limit()
    {
        using var outbox = Create(new MemoryStream(), capacity: 200);

        Run(TimeSpan.FromMinutes(1)); // the write loop got no CPU for a minute
        var results = Enumerable.Range(0, 200).Select(i => outbox.TryAdd(Frame($"m{i}"))).ToList();

        Assert.All(results, r => Assert.Equal(OutboxResult.Queued, r));
        Assert.Equal(OutboxResult.Full, outbox.TryAdd(Frame("one too many")));
    }

    [Fact]
    public async Task A_reader_that_takes_every_write_is_never_reported_however_long_it_runs()
    {
        var socket = new CountingStream(_time); // each write takes a second: minutes pass, every write completes
        using var outbox = Create(socket);
        using var cancel = new CancellationTokenSource();
        var writing = outbox.WriteAllAsync(cancel.Token);

        for (var round = 1; round <= 3; round++)
        {
            var frames = Enumerable.Range(0, 100).Select(i => outbox.TryAdd(Frame($"m{i}"))).ToList();
            Assert.All(frames, r => Assert.Equal(OutboxResult.Queued, r));
            await socket.WhenWritten(100 * round).WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);
        }

        outbox.Complete();
        await writing.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);
        Assert.Equal(0, outbox.Count);
        Assert.True(_time.GetUtcNow() - _time.Start >= TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void After_completion_a_frame_is_refused_as_closed_not_as_a_slow_client()
    {
        using var outbox = Create(new MemoryStream());
        outbox.Complete();

        Assert.Equal(OutboxResult.Closed, outbox.TryAdd(Frame("late")));
    }

    /// <summary>A socket whose peer reads every write, each after a second; counts the frames written.</summary>
    sealed class CountingStream(FakeTimeProvider time) : MemoryStream
    {
        readonly Lock _gate = new();
        readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        int _writes;

        public Task WhenWritten(int count)
        {
            lock (_gate)
            {
                if (_writes >= count)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task;
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            lock (_gate)
            {
                _writes++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _writes))
                {
                    waiter.Done.TrySetResult();
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A socket whose peer reads nothing: every write waits for ever (until cancelled).</summary>
    sealed class StalledStream : MemoryStream
    {
        readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WriteStarted => _started.Task;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}

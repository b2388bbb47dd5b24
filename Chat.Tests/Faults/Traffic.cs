using System.Collections.Concurrent;
using System.Diagnostics;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>
/// Keeps a client sending to a room, one message after the other's answer (at most <c>perSecond</c>, paced by a timer),
/// and records every answer with when its send went out (on <c>clock</c>, the test's or its own) and how long it took.
/// Every answer is awaited with the client's timeout, so a send that hangs fails the test.
/// </summary>
sealed class Traffic : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    public Traffic(ChatClient client, string room, string label, int perSecond = 50, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        _loop = Task.Run(async () =>
        {
            using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
            var i = 0;
            while (!_stop.IsCancellationRequested && await pace.WaitForNextTickAsync(CancellationToken.None))
            {
                var sent = clock.Elapsed;
                var answer = await client.SendMessageAsync(room, $"{label} {i++}");
                var acknowledged = (string?)answer["type"] == "ack";
                Answers.Add(new(sent, clock.Elapsed - sent, acknowledged ? Guid.Parse((string)answer["id"]!) : null, acknowledged ? null : (string?)answer["code"]));
            }
        });
    }

    /// <summary>Every answer so far.</summary>
    public ConcurrentBag<TimedAnswer> Answers { get; } = [];

    public IReadOnlyList<Guid> Acknowledged => [.. Answers.Where(a => a.Id is not null).Select(a => a.Id!.Value)];

    public IReadOnlyList<string> Errors => [.. Answers.Where(a => a.Id is null).Select(a => a.Code!)];

    /// <summary>Waits until <paramref name="count"/> more messages than now are acknowledged.</summary>
    public Task WaitForMoreAcknowledgedAsync(int count, TimeSpan timeout)
    {
        var target = Acknowledged.Count + count;
        return Eventually.UntilAsync(_ => Task.FromResult(Acknowledged.Count), n => n >= target || _loop.IsCompleted, timeout, $"{count} more acknowledged sends");
    }

    /// <summary>Stops after the answer to the send in flight; every acknowledged id is then recorded.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop.WaitAsync(TestTimeouts.Long, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException)
        {
            // The test has failed already or its client is gone.
        }

        _stop.Dispose();
    }
}

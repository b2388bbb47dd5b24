using System.Diagnostics;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Postgres;

/// <summary>
/// Asks the history API through the AppHost's history port again and again (a new connection each time, so the proxy
/// picks a replica each time), each request with a timeout, and records when each was answered and how.
/// </summary>
sealed class HistoryApiProbe : IAsyncDisposable
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    readonly CancellationTokenSource _stop = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly List<(TimeSpan At, bool Answered)> _results = [];
    readonly Task _loop;

    public HistoryApiProbe(PostgresReplicasFixture app, string room)
    {
        _loop = Task.Run(async () =>
        {
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (!_stop.IsCancellationRequested && await pace.WaitForNextTickAsync(CancellationToken.None))
            {
                var answered = false;
                try
                {
                    using var http = app.CreateHistoryClient();
                    using var response = await http.GetAsync($"/rooms/{room}/messages?limit=1", CancellationToken.None).WaitAsync(RequestTimeout);
                    answered = response.IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TimeoutException or TaskCanceledException)
                {
                }

                lock (_results)
                {
                    _results.Add((_clock.Elapsed, answered));
                }
            }
        });
    }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The results so far: when each request ended, and whether it was answered with 200.</summary>
    public List<(TimeSpan At, bool Answered)> Results
    {
        get
        {
            lock (_results)
            {
                return [.. _results];
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> more requests than now were answered.</summary>
    public Task WaitForMoreAnsweredAsync(int count, TimeSpan timeout)
    {
        var target = Results.Count(r => r.Answered) + count;
        return Eventually.UntilAsync(_ => Task.FromResult(Results.Count(r => r.Answered)), n => n >= target, timeout, $"{count} more answers of the history API");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TestTimeouts.Long, TestContext.Current.CancellationToken);
        _stop.Dispose();
    }
}

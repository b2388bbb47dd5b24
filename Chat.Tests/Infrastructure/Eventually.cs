namespace Chat.Tests.Infrastructure;

/// <summary>
/// Polls a condition that no event announces (a row reaching a database in another process) until it holds,
/// or fails after the timeout. Polling on a timer, not a sleep standing in for an event.
/// </summary>
static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<CancellationToken, Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        T last = default!;
        try
        {
            do
            {
                last = await probe(cts.Token);
                if (condition(last))
                {
                    return last;
                }
            }
            while (await timer.WaitForNextTickAsync(cts.Token));
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
        }

        Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}; last value: {last}");
        return last;
    }
}

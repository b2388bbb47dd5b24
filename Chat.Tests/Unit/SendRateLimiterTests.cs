using Chat.Gateway.Connections;

namespace Chat.Tests.Unit;

public sealed class SendRateLimiterTests
{
    [Fact]
    public void A_burst_of_40_passes_and_the_41st_is_refused()
    {
        using var limiter = new SendRateLimiter(perSecond: 20, burst: 40);

        var results = Enumerable.Range(0, 41).Select(_ => limiter.TryAcquire()).ToList();

        Assert.All(results.Take(40), Assert.True);
        Assert.False(results[40]);
    }

    [Fact]
    public async Task Tokens_come_back_with_time_at_the_sustained_rate()
    {
        using var limiter = new SendRateLimiter(perSecond: 20, burst: 40);
        while (limiter.TryAcquire())
        {
        }

        // Not synchronisation: the rate limiter's input is elapsed time. 300 ms earns 6 tokens at 20/s;
        // the assertion only needs the lower bound (at least one), so it cannot depend on scheduling.
        await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);

        Assert.True(limiter.TryAcquire());
    }

    [Fact]
    public void Limits_are_per_connection()
    {
        using var first = new SendRateLimiter(20, 40);
        using var second = new SendRateLimiter(20, 40);
        while (first.TryAcquire())
        {
        }

        Assert.True(second.TryAcquire());
    }
}

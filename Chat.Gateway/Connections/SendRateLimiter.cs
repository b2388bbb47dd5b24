using System.Threading.RateLimiting;

namespace Chat.Gateway.Connections;

/// <summary>
/// A connection's send rate: a token bucket of <c>burst</c> tokens refilled at <c>perSecond</c>. It keeps no timer
/// per connection (<see cref="TokenBucketRateLimiterOptions.AutoReplenishment"/> off): each attempt first adds
/// the tokens earned since the last one, which <see cref="TokenBucketRateLimiter.TryReplenish"/> computes from
/// the elapsed time when auto-replenishment is off.
/// </summary>
public sealed class SendRateLimiter(int perSecond, int burst) : IDisposable
{
    readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        AutoReplenishment = false,
        QueueLimit = 0,
    });

    public bool TryAcquire()
    {
        _bucket.TryReplenish();
        using var lease = _bucket.AttemptAcquire();
        return lease.IsAcquired;
    }

    public void Dispose() => _bucket.Dispose();
}

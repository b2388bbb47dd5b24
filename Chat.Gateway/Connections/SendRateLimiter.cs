using System.Threading.RateLimiting;

namespace Chat.Gateway.Connections;

/// <summary>
/// A connection's send rate: a token bucket of <c>burst</c> tokens refilled at <c>perSecond</c>, with no timer per
/// connection (auto-replenishment off): each attempt first adds what the elapsed time earned (<c>TryReplenish</c>).
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

using Microsoft.AspNetCore.Http.Features;

namespace Chat.Gateway.Connections;

/// <summary>
/// Kestrel's upgrade, with the upgraded stream wrapped in a <see cref="WriteCoalescingStream"/> before the WebSocket
/// middleware builds its WebSocket on it. The wrapper is left in the request's features, where
/// <see cref="ConnectionAcceptor"/> finds it for the connection's send loop.
/// </summary>
public sealed class CoalescingUpgradeFeature(IHttpUpgradeFeature inner, IFeatureCollection features) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync()
    {
        var stream = new WriteCoalescingStream(await inner.UpgradeAsync());
        features.Set(stream);
        return stream;
    }
}

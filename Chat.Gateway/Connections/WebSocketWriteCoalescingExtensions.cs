using Microsoft.AspNetCore.Http.Features;

namespace Chat.Gateway.Connections;

static class WebSocketWriteCoalescingExtensions
{
    /// <summary>
    /// Gives every HTTP/1.1 WebSocket upgrade a <see cref="WriteCoalescingStream"/>, so that a connection's send loop can
    /// write a burst of frames in one write. Goes before <c>UseWebSockets</c>, which takes the upgrade feature as it
    /// finds it. (An HTTP/2 WebSocket, over extended CONNECT, is left as it is: its frames are written one by one.)
    /// </summary>
    public static IApplicationBuilder UseWebSocketWriteCoalescing(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Features.Set<IHttpUpgradeFeature>(new CoalescingUpgradeFeature(upgrade, context.Features));
            }

            return next(context);
        });
}

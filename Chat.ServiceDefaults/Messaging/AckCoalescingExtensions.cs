using MassTransit;
using Microsoft.Extensions.Logging;

namespace Chat.ServiceDefaults.Messaging;

/// <summary>Acknowledgements in runs on a receive endpoint (<see cref="AckCoalescingChannelContext"/>), sized by its prefetch.</summary>
public static class AckCoalescingExtensions
{
    /// <summary>How late an acknowledgement may reach the broker; the prefetch keeps deliveries coming meanwhile.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Sends the endpoint's acknowledgements in runs of up to an eighth of <paramref name="prefetch"/>, at most
    /// <see cref="MaxDelay"/> late. What a run lost with the connection makes the broker deliver again, the consumer must recognise.
    /// </summary>
    public static void UseAckCoalescing(this IRabbitMqReceiveEndpointConfigurator endpoint, int prefetch, ILogger logger)
    {
        var coalescing = new AckCoalescingFilter(Math.Max(1, prefetch / 8), MaxDelay, TimeProvider.System, logger);
        endpoint.ConfigureChannel(channel => channel.UseFilter(coalescing));
    }
}

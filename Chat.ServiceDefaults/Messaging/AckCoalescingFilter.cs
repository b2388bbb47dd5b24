using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;

namespace Chat.ServiceDefaults.Messaging;

/// <summary>
/// On a receive endpoint's channel pipe (<c>ConfigureChannel</c>): hands the endpoint's consumer a channel whose
/// acknowledgements are coalesced (<see cref="AckCoalescingChannelContext"/>), for as long as that channel consumes.
/// </summary>
public sealed class AckCoalescingFilter(int maxDeferred, TimeSpan maxDelay, TimeProvider time, ILogger logger) : IFilter<ChannelContext>
{
    public async Task Send(ChannelContext context, IPipe<ChannelContext> next)
    {
        await using var coalescing = new AckCoalescingChannelContext(context, maxDeferred, maxDelay, time, logger);
        await next.Send(coalescing).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("ackCoalescing");
        scope.Add("maxDeferred", maxDeferred);
        scope.Add("maxDelay", maxDelay);
    }
}

using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// What every endpoint of one gateway instance shares: its queue outlives a broker restart with its bindings and expires
/// a minute after the instance is gone; nothing it cannot read is retried, kept or answered with a fault.
/// </summary>
static class InstanceEndpoint
{
    /// <summary>How long the broker keeps an instance's queue after its last consumer went away.</summary>
    public static readonly TimeSpan QueueExpiry = TimeSpan.FromMinutes(1);

    /// <summary>The queue name for this instance: <paramref name="prefix"/> and the node id, lower case.</summary>
    public static string Name(string prefix, string node) =>
        prefix + "-" + new string([.. node.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-')]);

    /// <summary>
    /// Configures an instance endpoint: one message at a time, so in the broker's order (its channel dispatches deliveries
    /// one after another). On a cluster (<paramref name="quorum"/>) its queue is a quorum queue, so it survives the loss of its node.
    /// </summary>
    public static void Configure(IReceiveEndpointConfigurator endpoint, int prefetch, bool quorum, ILogger logger)
    {
        endpoint.ConcurrentMessageLimit = 1;
        endpoint.PrefetchCount = prefetch;
        endpoint.ConfigureError(error => error.UseFilter(new DropFaultedMessageFilter(logger)));
        endpoint.DiscardSkippedMessages();
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // Quorum on a cluster: a classic queue cannot be declared again while its node is down; it costs ~35 % more broker CPU.
            if (quorum)
            {
                rabbit.SetQuorumQueue();
            }

            rabbit.Durable = true;
            rabbit.AutoDelete = false;
            rabbit.QueueExpiration = QueueExpiry;
        }
    }
}

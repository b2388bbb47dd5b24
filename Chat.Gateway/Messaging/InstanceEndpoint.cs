using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// What every endpoint of one gateway instance shares: its queue is durable, so its bindings outlive a broker restart,
/// and expires a minute after the instance is gone; nothing it cannot read is retried, kept or answered with a fault.
/// </summary>
static class InstanceEndpoint
{
    /// <summary>How long the broker keeps an instance's queue after its last consumer went away.</summary>
    public static readonly TimeSpan QueueExpiry = TimeSpan.FromMinutes(1);

    /// <summary>The queue name for this instance: <paramref name="prefix"/> and the node id, lower case.</summary>
    public static string Name(string prefix, string node) =>
        prefix + "-" + new string([.. node.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-')]);

    public static void Configure(IReceiveEndpointConfigurator endpoint, int prefetch, ILogger logger)
    {
        endpoint.PrefetchCount = prefetch;
        endpoint.ConfigureError(error => error.UseFilter(new DropFaultedMessageFilter(logger)));
        endpoint.DiscardSkippedMessages();
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Durable = true;
            rabbit.AutoDelete = false;
            rabbit.QueueExpiration = QueueExpiry;
        }
    }
}

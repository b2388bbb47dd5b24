using Chat.Gateway;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Unit;

/// <summary>How many acknowledgements the fanout endpoint defers: few enough that a redelivered run is recognised as one.</summary>
public sealed class DeliverChatMessageConsumerDefinitionTests
{
    static DeliverChatMessageConsumerDefinition Create(int recentPerRoom) =>
        new(new GatewayNode(new ConfigurationBuilder().Build()), BrokerConnectionString.Parse("amqp://guest:guest@localhost:5672"),
            Options.Create(new GatewayOptions { RecentMessagesPerRoom = recentPerRoom }), NullLogger<DeliverChatMessageConsumer>.Instance);

    [Fact]
    public void By_default_an_eighth_of_the_prefetch_is_acknowledged_at_once() =>
        Assert.Equal(DeliverChatMessageConsumerDefinition.Prefetch / 8, Create(recentPerRoom: 256).MaxDeferredAcks);

    [Fact]
    public void Two_runs_never_exceed_what_the_recent_buffer_keeps_of_a_room()
    {
        Assert.Equal(20, Create(recentPerRoom: 40).MaxDeferredAcks);
        Assert.Equal(1, Create(recentPerRoom: 1).MaxDeferredAcks);
    }
}

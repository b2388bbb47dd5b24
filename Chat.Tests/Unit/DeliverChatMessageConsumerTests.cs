using Chat.Gateway;
using Chat.Gateway.Messaging;
using Chat.Gateway.Rooms;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chat.Tests.Unit;

/// <summary>The gateway's fanout consumer on MassTransit's in-memory test harness: the bus pipeline, without a broker.</summary>
public sealed class DeliverChatMessageConsumerTests : IAsyncLifetime
{
    readonly RoomRegistry _rooms = new();
    ServiceProvider _services = null!;
    ITestHarness _harness = null!;

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(_rooms)
            .AddSingleton(Options.Create(new GatewayOptions()))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<RecentMessageBuffer>()
            .AddMassTransitTestHarness(bus => bus.AddConsumer<DeliverChatMessageConsumer>())
            .BuildServiceProvider(validateScopes: true);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop().WaitAsync(TimeSpan.FromSeconds(30));
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task A_published_message_reaches_the_local_members_of_its_room_and_the_recent_buffer()
    {
        var alice = TestConnections.Create("alice");
        var elsewhere = TestConnections.Create("carol");
        _rooms.Add(new RoomSubscription(alice, "general", 64));
        _rooms.Add(new RoomSubscription(elsewhere, "random", 64));
        var message = TestConnections.Message("general", "hello");

        await _harness.Bus.Publish(message, TestContext.Current.CancellationToken);

        Assert.True(await _harness.Consumed.Any<ChatMessage>(m => m.Context.Message.Id == message.Id, TestContext.Current.CancellationToken));
        Assert.Contains("\"text\":\"hello\"", Assert.Single(TestConnections.Drain(alice)), StringComparison.Ordinal);
        Assert.Empty(TestConnections.Drain(elsewhere));
        Assert.Equal(message.Id, Assert.Single(_services.GetRequiredService<RecentMessageBuffer>().GetLatest("general", 50)).Id);
    }

    [Fact]
    public async Task A_redelivered_message_is_handed_out_once()
    {
        var alice = TestConnections.Create("alice");
        _rooms.Add(new RoomSubscription(alice, "twice", 64));
        var message = TestConnections.Message("twice", "once only");

        await _harness.Bus.Publish(message, TestContext.Current.CancellationToken);
        await _harness.Bus.Publish(message, TestContext.Current.CancellationToken);

        Assert.Equal(2, await CountConsumedAsync(message.Id, expected: 2));
        Assert.Single(TestConnections.Drain(alice));
    }

    [Fact]
    public async Task An_event_without_its_fields_is_consumed_and_handed_to_nobody()
    {
        var alice = TestConnections.Create("alice");
        _rooms.Add(new RoomSubscription(alice, "general", 64));
        var incomplete = new ChatMessage(new MessageIdGenerator().NewId(), "general", null!, null!, DateTimeOffset.UtcNow);

        await _harness.Bus.Publish(incomplete, TestContext.Current.CancellationToken);

        Assert.True(await _harness.Consumed.Any<ChatMessage>(m => m.Context.Message.Id == incomplete.Id, TestContext.Current.CancellationToken));
        Assert.False(await _harness.Consumed.Any<ChatMessage>(m => m.Exception is not null, TestContext.Current.CancellationToken));
        Assert.Empty(TestConnections.Drain(alice));
    }

    async Task<int> CountConsumedAsync(Guid id, int expected)
    {
        var count = 0;
        await foreach (var _ in _harness.Consumed.SelectAsync<ChatMessage>(m => m.Context.Message.Id == id, TestContext.Current.CancellationToken))
        {
            if (++count == expected)
            {
                break;
            }
        }

        return count;
    }
}

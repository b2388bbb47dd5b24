using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>
/// The broker closes the gateways' connections under traffic (the broker itself stays up): what the gateways had
/// taken but not yet acknowledged comes back to them, and each acknowledged message still reaches every client once.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class BrokerConnectionLossTests(FaultFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Gateways_whose_broker_connections_are_closed_under_traffic_hand_every_acknowledged_message_to_their_clients_once()
    {
        var room = Names.Room("connection-loss");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, "alice", "bob");
        var (alice, bob) = clients;
        await using var fromAlice = new Traffic(alice, room, "alice", perSecond: 100);
        await using var fromBob = new Traffic(bob, room, "bob", perSecond: 100);
        await fromAlice.WaitForMoreAcknowledgedAsync(100, TestTimeouts.Long);

        // Both of each gateway's MassTransit connections: the one it publishes on, and the fanout's, from which the broker
        // redelivers what was unacknowledged.
        var closed = await BrokerCtl.For(app).CloseConnectionsAsync($"{ChatAppFixture.Messaging}@localhost", ChatAppFixture.GatewayPublishingConnection, Chat.Gateway.Messaging.IFanoutBus.ConnectionName);
        Assert.True(closed >= 4, $"{closed} gateway connections closed");
        await fromAlice.WaitForMoreAcknowledgedAsync(100, TimeSpan.FromMinutes(2));
        await fromBob.WaitForMoreAcknowledgedAsync(100, TimeSpan.FromMinutes(2));
        await fromAlice.StopAsync();
        await fromBob.StopAsync();

        Assert.All(fromAlice.Errors.Concat(fromBob.Errors), code => Assert.Equal("unavailable", code));
        HashSet<Guid> acknowledged = [.. fromAlice.Acknowledged, .. fromBob.Acknowledged];
        await alice.AssertReceivedOnceAsync(acknowledged, TestTimeouts.Long);
        await bob.AssertReceivedOnceAsync(acknowledged, TestTimeouts.Long);
        Figures.Record(output, nameof(Gateways_whose_broker_connections_are_closed_under_traffic_hand_every_acknowledged_message_to_their_clients_once),
            $"{closed} connections closed; {acknowledged.Count} acknowledged, {fromAlice.Errors.Count + fromBob.Errors.Count} answered unavailable; every acknowledged message received once by both clients");
    }
}

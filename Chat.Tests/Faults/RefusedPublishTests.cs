using Chat.Gateway.Messaging;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>
/// The broker refuses (nacks) a gateway's publish: the sender is answered <c>unavailable</c>, and the gateway opens a new
/// publishing connection, since RabbitMQ 3.10 can keep refusing a channel for its whole life (RefusedPublishRecovery).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class RefusedPublishTests(FaultFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task A_send_the_broker_refuses_is_answered_unavailable_and_the_gateway_publishes_on_a_new_connection()
    {
        var node = $"{ChatAppFixture.Messaging}@localhost";
        var ctl = BrokerCtl.For(app);
        var room = Names.Room("refused");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, "alice", "bob");
        var (alice, bob) = clients;
        await alice.SendAcknowledgedAsync(room, "before the refusal");
        var before = await ctl.ConnectionProcessesAsync(node, ChatAppFixture.GatewayPublishingConnection);
        var consuming = await ctl.ConnectionProcessesAsync(node, IFanoutBus.ConnectionName);

        // A queue that holds nothing and refuses what it cannot hold, behind the ChatMessage fanout: the broker nacks
        // every chat message, as a channel stuck in RabbitMQ 3.10's quorum-queue client does.
        var refusing = $"refusing-{Guid.NewGuid():N}";
        await using var broker = await BrokerClient.ConnectAsync(app);
        await broker.DeclareAsync(refusing, new Dictionary<string, object?> { ["x-max-length"] = 0, ["x-overflow"] = "reject-publish" });
        IReadOnlyList<string> reopened;
        try
        {
            await broker.BindAsync(refusing, BrokerClient.ChatMessageExchange);
            var refused = await alice.SendMessageAsync(room, "refused by the broker");
            Assert.Equal("error", (string?)refused["type"]);
            Assert.Equal("unavailable", (string?)refused["code"]);
            Assert.True(Guid.TryParse((string?)refused["id"], out _), $"an unavailable answer carries the message's id: {refused.ToJsonString()}");

            reopened = await Eventually.UntilAsync(_ => ctl.ConnectionProcessesAsync(node, ChatAppFixture.GatewayPublishingConnection), now => now.Except(before).Any(),
                TestTimeouts.Long, "a new publishing connection");
        }
        finally
        {
            await broker.DeleteQueueAsync(refusing);
        }

        // Only the publishing connection was reopened: the endpoints (chat, presence, typing) kept listening on theirs.
        Assert.Equal(consuming.Order(StringComparer.Ordinal), (await ctl.ConnectionProcessesAsync(node, IFanoutBus.ConnectionName)).Order(StringComparer.Ordinal));

        // Accepted again, and the fanout still carries it to the other gateway.
        var accepted = await alice.SendAcknowledgedAsync(room, "accepted again");
        await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == accepted.ToString(), TestTimeouts.Long);
        Figures.Record(output, nameof(A_send_the_broker_refuses_is_answered_unavailable_and_the_gateway_publishes_on_a_new_connection),
            $"publishing connections before the refusal {before.Count}, after it {reopened.Count}, {reopened.Except(before).Count()} of them new; the {consuming.Count} consuming connections unchanged; the next send acknowledged and delivered through the other gateway");
    }
}

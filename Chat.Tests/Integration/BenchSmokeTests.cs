using Aspire.Hosting.Testing;
using Chat.Bench.Scenarios;
using Chat.Bench.Targets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>Small runs of Chat.Bench's scenarios against the shared app (its default configuration): correctness only, never timing.</summary>
[Collection(AppCollection.Name)]
public sealed class BenchSmokeTests(ChatAppFixture fixture)
{
    [Fact]
    public async Task A_small_bench_run_loses_nothing_duplicates_nothing_and_stores_every_message_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var replicas = await fixture.GetGatewayReplicasAsync();
        await using var app = ChatApp.Attach(replicas, fixture.App.GetEndpoint(ChatAppFixture.History, "http"), broker: null);

        // 4 clients × 5 messages in one room: within the gateway's default burst (40), so no limit needs raising.
        var result = await TalkScenario.RunAsync(app.CreateTarget(viaProxy: false), new WorkloadOptions(Clients: 4, Messages: 5), ct)
            .WaitAsync(TestTimeouts.Long, ct);

        Assert.Null(result.Problem);
        Assert.Equal(2, result.Spread.Count); // the clients were on both replicas
        Assert.Equal(4L * 5, result.Accepted);
        Assert.Equal(0, result.Rejected);
        Assert.Equal(4L * 4 * 5, result.ExpectedDeliveries);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
        Assert.Equal(4L * 5, result.Stored);
        Assert.True(result.IsClean);
    }

    [Fact]
    public async Task A_small_paced_run_in_one_room_loses_nothing_duplicates_nothing_keeps_each_senders_order_and_stores_every_message_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var replicas = await fixture.GetGatewayReplicasAsync();
        await using var app = ChatApp.Attach(replicas, fixture.App.GetEndpoint(ChatAppFixture.History, "http"), broker: null);

        // 10 clients × 20 messages at 20 a second, open loop: the gateway's default rate, and within its burst of 40.
        var result = await TalkPacedScenario.RunAsync(app.CreateTarget(viaProxy: false), new WorkloadOptions(Clients: 10, Messages: 20), rate: 20, ct)
            .WaitAsync(TestTimeouts.Long, ct);

        Assert.Null(result.Problem);
        Assert.Equal(200, result.OfferedPerSecond);
        Assert.Equal(2, result.Spread.Count);
        Assert.Equal(10L * 20, result.Accepted);
        Assert.Equal(0, result.Rejected);
        Assert.Equal(10L * 10 * 20, result.ExpectedDeliveries);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
        Assert.Equal(0, result.Reordered);
        Assert.Equal(10L * 20, result.Stored);
        Assert.Equal(10L * 20, result.PacerLag!.Count); // every send went through the pacer
        Assert.True(result.IsClean);
    }

    [Fact]
    public async Task A_small_chat_run_in_several_rooms_stores_exactly_each_rooms_messages()
    {
        var ct = TestContext.Current.CancellationToken;
        var replicas = await fixture.GetGatewayReplicasAsync();
        await using var app = ChatApp.Attach(replicas, fixture.App.GetEndpoint(ChatAppFixture.History, "http"), broker: null);

        // 12 connections in rooms of 5 (the last room has 2), 10 messages each at 5 a second.
        var result = await ChatScenario.RunAsync(app.CreateTarget(viaProxy: false), new WorkloadOptions(Clients: 12, Messages: 10), roomSize: 5, rate: 5, ct)
            .WaitAsync(TestTimeouts.Long, ct);

        Assert.Null(result.Problem);
        Assert.Equal(3, result.Rooms);
        Assert.Equal((5L * 5 + 5 * 5 + 2 * 2) * 10, result.ExpectedDeliveries);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
        Assert.Equal(0, result.Reordered);
        Assert.Equal(12L * 10, result.Stored);
        Assert.True(result.IsClean);
    }
}

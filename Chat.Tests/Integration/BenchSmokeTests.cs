using Aspire.Hosting.Testing;
using Chat.Bench.Scenarios;
using Chat.Bench.Targets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>A small run of Chat.Bench's talk scenario against the shared app: correctness only, never timing.</summary>
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
}

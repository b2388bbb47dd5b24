using Chat.Bench.Baselines;
using Chat.Bench.Scenarios;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Tests.Integration;

/// <summary>
/// Chat.Bench's baselines, each server in a process of its own as the gateways are: a small talk round and a small paced
/// round against each must be clean, or the bench would compare against a broken peer. Correctness only, never timing.
/// </summary>
public sealed class BenchBaselineTests
{
    static readonly WorkloadOptions Small = new(Clients: 4, Messages: 5) { StallTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>10 clients × 20 messages at 20 a second each, open loop.</summary>
    static readonly WorkloadOptions Paced = new(Clients: 10, Messages: 20) { StallTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task The_raw_socket_server_runs_in_its_own_process_and_delivers_every_message_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RawSocketServer.StartAsync(NullLogger.Instance, ct).WaitAsync(TestTimeouts.Long, ct);
        Assert.NotEqual(Environment.ProcessId, server.Pid);

        var result = await TalkScenario.RunAsync(server, Small, ct).WaitAsync(TestTimeouts.Long, ct);

        AssertClean(result);
    }

    [Fact]
    public async Task The_SignalR_peer_runs_two_hub_processes_on_redis_and_delivers_every_message_once()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.SkipUnless(File.Exists(RedisServer.DefaultPath), $"{RedisServer.DefaultPath} is not installed (.ci/run installs it)");
        await using var peer = await SignalRPeer.StartAsync(RedisServer.DefaultPath, NullLogger.Instance, ct).WaitAsync(TestTimeouts.Long, ct);
        Assert.Equal(SignalRPeer.Instances + 1, peer.Pids.Distinct().Count()); // two hubs and redis-server
        Assert.DoesNotContain(Environment.ProcessId, peer.Pids);

        var result = await TalkScenario.RunAsync(peer, Small, ct).WaitAsync(TestTimeouts.Long, ct);

        AssertClean(result);
        Assert.Equal(SignalRPeer.Instances, result.Spread.Count); // the clients were on both hubs
    }

    [Fact]
    public async Task A_paced_round_against_the_raw_socket_server_delivers_every_message_once_in_each_senders_order()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RawSocketServer.StartAsync(NullLogger.Instance, ct).WaitAsync(TestTimeouts.Long, ct);

        var result = await TalkPacedScenario.RunAsync(server, Paced, rate: 20, ct).WaitAsync(TestTimeouts.Long, ct);

        AssertClean(result, Paced);
        Assert.Equal(0, result.Reordered);
    }

    [Fact]
    public async Task A_paced_round_against_the_SignalR_peer_delivers_every_message_once_in_each_senders_order()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.SkipUnless(File.Exists(RedisServer.DefaultPath), $"{RedisServer.DefaultPath} is not installed (.ci/run installs it)");
        await using var peer = await SignalRPeer.StartAsync(RedisServer.DefaultPath, NullLogger.Instance, ct).WaitAsync(TestTimeouts.Long, ct);

        var result = await TalkPacedScenario.RunAsync(peer, Paced, rate: 20, ct).WaitAsync(TestTimeouts.Long, ct);

        AssertClean(result, Paced);
        Assert.Equal(0, result.Reordered);
    }

    static void AssertClean(Chat.Bench.Workload.RoundResult result) => AssertClean(result, Small);

    static void AssertClean(Chat.Bench.Workload.RoundResult result, WorkloadOptions size)
    {
        Assert.Null(result.Problem);
        Assert.Equal(size.Clients * size.Messages, result.Accepted);
        Assert.Equal((long)size.Clients * size.Clients * size.Messages, result.ExpectedDeliveries);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
        Assert.True(result.IsClean);
    }
}

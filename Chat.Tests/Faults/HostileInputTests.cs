using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>Hostile upgrades and the gateway's door policy: origins and the connection cap.</summary>
[Collection(FaultCollection.Name)]
public sealed class HostileInputTests(FaultFixture app)
{
    [Fact]
    public async Task Thousands_of_malformed_upgrade_requests_never_crash_the_gateway_or_log_an_unhandled_error()
    {
        var replicas = await app.GetGatewayReplicasAsync();
        var linesBefore = app.Logs.Lines.Count;
        var random = new Random(2013);
        string[] paths = ["/ws", "/websocket", "/ws/", "/WS", "/websocket/x", "/nope", "/ws?user=%", "/ws?user=%00", "/ws?user=" + new string('a', 5000), "/..%2f..%2fetc/passwd", "/ws?" + new string('&', 3000)];
        var statuses = new List<int>();

        for (var i = 0; i < 1000; i++)
        {
            var target = replicas[i % replicas.Count];
            var path = random.Next(3) == 0
                ? paths[random.Next(paths.Length)]
                : "/ws?user=" + Uri.EscapeDataString(new string([.. Enumerable.Range(0, random.Next(0, 60)).Select(_ => (char)random.Next(0x20, 0x250))]));
            string[] headers = random.Next(10) switch
            {
                0 => ["X-Huge: " + new string('h', 70_000)],
                1 => ["Origin: http://evil.example"],
                2 => ["Sec-WebSocket-Version: 99"],
                _ => [],
            };
            try
            {
                statuses.Add((await RawHttp.UpgradeAsync(target, path, headers)).StatusCode);
            }
            catch (IOException)
            {
                statuses.Add(0); // Kestrel may reset a connection whose headers are too large: that is a refusal too
            }
        }

        // The gateway still serves, on both replicas, and logged no unhandled exception.
        foreach (var replica in replicas)
        {
            await using var client = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replica, user: "survivor"));
            await client.SendJsonAsync(new { type = "ping" });
            await client.WaitForAsync(f => (string?)f["type"] == "pong");
        }

        Assert.Contains(400, statuses);
        Assert.Contains(101, statuses);
        Assert.DoesNotContain(500, statuses);
        var newLines = app.Logs.Since(linesBefore, ChatAppFixture.Gateway).ToList();
        Assert.DoesNotContain(newLines, l => l.Text.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase) || l.Text.Contains("fail:", StringComparison.Ordinal) || l.Text.Contains("crit:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 101)]
    [InlineData(FaultFixture.AllowedOrigin, 101)]
    [InlineData("http://evil.example", 403)]
    [InlineData("null", 403)]
    public async Task The_upgrade_allows_no_origin_the_same_origin_and_configured_origins_only(string? origin, int status)
    {
        var response = await RawHttp.UpgradeAsync(app.GatewayHttp, "/ws?user=origin", origin is null ? [] : [$"Origin: {origin}"]);

        Assert.Equal(status, response.StatusCode);
        if (status == 403)
        {
            Assert.Equal("origin not allowed\n", response.Body);
        }
    }

    [Fact]
    public async Task A_page_of_the_gateways_own_origin_may_connect()
    {
        var response = await RawHttp.UpgradeAsync(app.GatewayHttp, "/ws?user=same", $"Origin: http://{app.GatewayHttp.Authority}");

        Assert.Equal(101, response.StatusCode);
    }

    [Fact]
    public async Task Past_the_connection_cap_the_upgrade_is_answered_503_until_a_place_is_free()
    {
        var replica = (await app.GetGatewayReplicasAsync())[0];
        var clients = new List<ChatClient>();
        try
        {
            // Fill the replica: others' connections may hold some places, so connect until refused.
            while (clients.Count <= FaultFixture.MaxConnections)
            {
                try
                {
                    clients.Add(await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replica, user: $"c{clients.Count}")));
                }
                catch (WebSocketException refused) when (refused.Message.Contains("503", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.InRange(clients.Count, 1, FaultFixture.MaxConnections);
            var response = await RawHttp.UpgradeAsync(replica, "/ws?user=one-too-many");
            Assert.Equal(503, response.StatusCode);
            Assert.Equal("the gateway is at its connection limit; try again later\n", response.Body);

            await clients[0].DisposeAsync();
            clients.RemoveAt(0);
            await Eventually.UntilAsync(async _ => (await RawHttp.UpgradeAsync(replica, "/ws?user=again")).StatusCode, s => s == 101, TestTimeouts.Network, "a place after one left");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}

using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>An app of its own, stopped by the test itself.</summary>
public sealed class AppStopFixture : ChatAppFixture;

[CollectionDefinition(Name)]
public sealed class AppStopCollection : ICollectionFixture<AppStopFixture>
{
    public const string Name = "AppStop";
}

/// <summary>Stopping the whole app (the AppHost's Ctrl-C) as the gateways' clients see it.</summary>
[Collection(AppStopCollection.Name)]
public sealed class AppStopTests(AppStopFixture app, ITestOutputHelper output)
{
    /// <summary>Connections opened through the proxy, at most, to land on both replicas.</summary>
    const int MaxConnections = 20;

    [Fact]
    public async Task Stopping_the_app_closes_every_socket_through_the_proxy_with_1001_on_both_replicas_and_both_endpoints()
    {
        var clients = new List<ChatClient>();
        try
        {
            // The proxy balances per connection: open JSON sockets until both replicas serve some.
            var nodes = new HashSet<string>();
            while (nodes.Count < 2 && clients.Count < MaxConnections)
            {
                var client = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("stop")));
                clients.Add(client);
                nodes.Add(client.Node);
            }

            Assert.True(nodes.Count == 2, $"{clients.Count} connections through the proxy all landed on {string.Join(", ", nodes)}");
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await ChatClient.ConnectRawAsync(app.GatewaySocket("/websocket", user: Names.User("plain"))));
            }

            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await app.App.StopAsync(TestContext.Current.CancellationToken).WaitAsync(TestTimeouts.AppStop, TestContext.Current.CancellationToken);
            Figures.Record(output, nameof(Stopping_the_app_closes_every_socket_through_the_proxy_with_1001_on_both_replicas_and_both_endpoints),
                $"{clients.Count} sockets on {nodes.Count} replicas; the app stopped in {stopping.Elapsed.TotalSeconds:0.0} s");

            foreach (var client in clients)
            {
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.Closed.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken));
            }
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

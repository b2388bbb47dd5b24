using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>PROTOCOL.md's ordering rule with several publishes of one sender in flight (the default).</summary>
[Collection(AppCollection.Name)]
public sealed class OrderingTests(ChatAppFixture app)
{
    const int Senders = 6;
    const int Burst = 40; // the rate limit's burst: sent at once, without waiting for an answer

    [Fact]
    public async Task Bursts_of_several_senders_reach_every_member_on_both_replicas_in_each_senders_order()
    {
        var room = Names.Room("order");
        var replicas = await app.GetGatewayReplicasAsync();
        var clients = new List<ChatClient>();
        try
        {
            for (var i = 0; i < Senders + 2; i++)
            {
                var client = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[i % replicas.Count], user: $"s{i}"));
                clients.Add(client);
                await client.JoinAsync(room);
            }

            // Every sender fires its burst at once; the last two clients only listen.
            await Task.WhenAll(clients.Take(Senders).Select(async (sender, s) =>
            {
                for (var n = 0; n < Burst; n++)
                {
                    await sender.SendJsonAsync(new { type = "send", room, text = $"{s}:{n}", @ref = $"r{n}" });
                }
            }));

            foreach (var sender in clients.Take(Senders))
            {
                var acks = new List<JsonObject>();
                for (var n = 0; n < Burst; n++)
                {
                    acks.Add(await sender.WaitForAsync(f => (string?)f["type"] is "ack" or "error"));
                }

                Assert.All(acks, a => Assert.Equal("ack", (string?)a["type"]));
            }

            foreach (var receiver in clients)
            {
                var messages = new List<JsonObject>();
                for (var i = 0; i < Senders * Burst; i++)
                {
                    messages.Add(await receiver.WaitForAsync(f => (string?)f["type"] == "message"));
                }

                foreach (var fromOne in messages.GroupBy(m => (string)m["user"]!))
                {
                    var sequence = fromOne.Select(m => int.Parse(((string)m["text"]!).Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                    Assert.Equal(Enumerable.Range(0, Burst), sequence);
                    var ids = fromOne.Select(m => Guid.Parse((string)m["id"]!)).ToList();
                    Assert.Equal(ids.Order(), ids);
                }
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

using Chat.Tests.Infrastructure;

namespace Chat.Tests.Telemetry;

/// <summary>The metrics docs/dashboard.md lists move as the chat is used, read from what the services export over OTLP.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsTests(TelemetryAppFixture app)
{
    [Fact]
    public async Task An_accepted_message_increments_the_accepting_replicas_accepted_counter()
    {
        var room = Names.Room("counted");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: Names.User("alice")));
        await alice.JoinAsync(room);
        var accepted = MetricQueries.Series(alice.Node, "chat.gateway.messages.accepted");
        var before = await app.Otlp.CurrentValueAsync(alice.Node, accepted);

        await alice.SendAcknowledgedAsync(room, "count me");

        var point = await app.Otlp.WaitForPointAsync(accepted, p => p.Value >= before + 1, $"accepted on {alice.Node} to reach {before + 1}");
        Assert.Equal(OtlpMetricType.Sum, point.Type);
        Assert.Equal("{message}", point.Unit);
        Assert.Equal(ChatAppFixture.Gateway, point.Source.ServiceName);
    }

    [Fact]
    public async Task A_rejected_frame_increments_the_rejected_counter_of_its_error_type()
    {
        var room = Names.Room("rejected");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: Names.User("alice")));
        await alice.JoinAsync(room);
        var invalidText = MetricQueries.Series(alice.Node, "chat.gateway.messages.rejected", a => (string?)a.GetValueOrDefault("error.type") == "invalid_text");
        var before = await app.Otlp.CurrentValueAsync(alice.Node, invalidText);

        var answer = await alice.SendMessageAsync(room, "   ");
        Assert.Equal("invalid_text", (string?)answer["code"]);

        await app.Otlp.WaitForPointAsync(invalidText, p => p.Value >= before + 1, $"rejected{{error.type=invalid_text}} on {alice.Node} to reach {before + 1}");
    }

    [Fact]
    public async Task Every_replica_and_history_export_the_instruments_of_the_dashboard_guide()
    {
        var room = Names.Room("gauged");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, Names.User("alice"), Names.User("bob"));
        var (alice, bob) = clients;
        var joined = DateTimeOffset.UtcNow;
        var id = await alice.SendAcknowledgedAsync(room, "measure me");
        await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString());

        // Per replica: what is open now (collected after both joined), and what happened to this message.
        foreach (var node in new[] { alice.Node, bob.Node })
        {
            foreach (var name in new[] { "chat.gateway.connections", "chat.gateway.room_memberships", "chat.gateway.rooms" })
            {
                await app.Otlp.WaitForPointAsync(MetricQueries.Series(node, name), p => p.Time > joined && p.Value >= 1, $"{name} ≥ 1 on {node}");
            }

            await app.Otlp.WaitForPointAsync(MetricQueries.Series(node, "chat.gateway.messages.delivered"), p => p.Value >= 1, $"delivered on {node}");
            await app.Otlp.WaitForPointAsync(MetricQueries.Series(node, "chat.gateway.delivery.latency"),
                p => p.Type == OtlpMetricType.Histogram && p.Unit == "s" && p.Count >= 1, $"delivery latency on {node}");
        }

        await app.Otlp.WaitForPointAsync(MetricQueries.Series(alice.Node, "chat.gateway.publish.duration"),
            p => p.Type == OtlpMetricType.Histogram && p.Unit == "s" && p.Count >= 1, $"publish-confirm latency on {alice.Node}");

        // History: stored, insert latency, batch size and lag (accept to stored).
        bool History(ExportedMetricPoint p) => p.Source.ServiceName == ChatAppFixture.History;
        await app.Otlp.WaitForPointAsync(p => History(p) && p.Name == "chat.history.messages.stored", p => p.Value >= 1, "stored in history");
        foreach (var (name, unit) in new[] { ("chat.history.insert.duration", "s"), ("chat.history.lag", "s"), ("chat.history.batch.size", "{message}") })
        {
            await app.Otlp.WaitForPointAsync(p => History(p) && p.Name == name,
                p => p.Type == OtlpMetricType.Histogram && p.Unit == unit && p.Count >= 1, $"{name} in history");
        }
    }

    [Fact]
    public async Task The_replicas_leave_out_MassTransits_per_message_consume_metrics_and_history_keeps_them()
    {
        // Every replica consumes every chat message and counts it in chat.gateway.messages.delivered; history stores each once.
        var room = Names.Room("unmetered");
        var replicas = await app.GetGatewayReplicasAsync();
        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: Names.User("alice")));
        await alice.JoinAsync(room);
        var id = await alice.SendAcknowledgedAsync(room, "count me once");
        await alice.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString());

        await app.Otlp.WaitForPointAsync(p => p.Source.ServiceName == ChatAppFixture.History && p.Name == "messaging.masstransit.consume",
            p => p.Value >= 1, "MassTransit's consume counter in history");
        await app.Otlp.WaitForPointAsync(MetricQueries.Series(alice.Node, "chat.gateway.messages.delivered"), p => p.Value >= 1, $"delivered on {alice.Node}");
        foreach (var name in new[] { "messaging.masstransit.receive", "messaging.masstransit.consume", "messaging.masstransit.receive.duration" })
        {
            Assert.Equal(0, await app.Otlp.CurrentValueAsync(alice.Node, MetricQueries.Series(alice.Node, name)));
        }
    }
}

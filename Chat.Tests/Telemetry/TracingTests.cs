using Chat.Tests.Infrastructure;
using Xunit.Sdk;

namespace Chat.Tests.Telemetry;

/// <summary>
/// One chat message is one trace, read from what the services really export over OTLP: the accepting gateway's span,
/// MassTransit's publish, every gateway replica's consume and delivery, and history's consume, store and insert.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TracingTests(TelemetryAppFixture app)
{
    [Fact]
    public async Task A_message_sent_on_one_replica_is_one_trace_through_both_gateways_the_broker_and_history()
    {
        var room = Names.Room("traced");
        var text = $"private words {Guid.NewGuid():N}";
        var replicas = await app.GetGatewayReplicasAsync();
        await using var alice = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: Names.User("alice")));
        await using var bob = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: Names.User("bob")));
        Assert.NotEqual(alice.Node, bob.Node);
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        var id = await alice.SendAcknowledgedAsync(room, text);
        await bob.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["id"] == id.ToString());

        await AssertOneTraceAsync(id, room, text, accepting: alice.Node, replicas: [alice.Node, bob.Node], protocol: "json");
    }

    [Fact]
    public async Task A_message_from_the_2013_endpoint_is_traced_the_same_way()
    {
        var text = $"private words from 2013 {Guid.NewGuid():N}";
        var replicas = await app.GetGatewayReplicasAsync();
        await using var plain = await ChatClient.ConnectRawAsync(ChatAppFixture.ReplicaSocket(replicas[0], "/websocket", Names.User("old")));
        await using var probe = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0]));
        await using var json = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: Names.User("new")));
        Assert.NotEqual(probe.Node, json.Node);
        await json.JoinAsync(ChatRules.DefaultRoom);

        await plain.SendTextAsync(text);
        await plain.WaitForLineAsync(l => l == $"recv: {text}");
        var message = await json.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["text"] == text);
        var id = Guid.Parse((string)message["id"]!);

        await AssertOneTraceAsync(id, ChatRules.DefaultRoom, text, accepting: probe.Node, replicas: [probe.Node, json.Node], protocol: "text");
    }

    [Fact]
    public async Task Presence_and_typing_between_the_gateways_export_no_spans()
    {
        var room = Names.Room("quiet-traces");
        await using var clients = await ClientsOnBothReplicas.ConnectAsync(app, room, Names.User("alice"), Names.User("bob"));
        var (alice, bob) = clients;
        await bob.SendJsonAsync(new { type = "typing", room });
        await alice.WaitForAsync(f => (string?)f["type"] == "typing");

        // A chat message sent after them is exported, so the exporters have run past the presence and typing spans too.
        var id = await alice.SendAcknowledgedAsync(room, "after the chatter");
        await app.Otlp.WaitForAsync(otlp => otlp.Spans.Any(s => s.Name == "chat deliver" && s.Attribute("messaging.message.id") == id.ToString()) ? otlp.Spans : null,
            TestTimeouts.Long, "the chat message's delivery span", _ => "");

        Assert.DoesNotContain(app.Otlp.Spans, s => s.Name.Contains("PresenceUpdate", StringComparison.Ordinal) || s.Name.Contains("TypingIndicator", StringComparison.Ordinal)
            || s.Name.Contains("chat-presence-", StringComparison.Ordinal) || s.Name.Contains("chat-typing-", StringComparison.Ordinal));
    }

    /// <summary>
    /// Waits for the message's whole trace to be exported, then checks it span by span: one tree, rooted at the accepting
    /// replica's send span, through MassTransit's publish to the consume and delivery on each replica and to a receive and process
    /// in history ending in its store; all of it tagged with the room and the message id, and none of it with the text.
    /// </summary>
    async Task AssertOneTraceAsync(Guid id, string room, string text, string accepting, string[] replicas, string protocol)
    {
        var messageId = id.ToString();
        bool Ours(ExportedSpan s) => s.Attribute("messaging.message.id") == messageId && s.Attribute("chat.room") == room;
        bool OnGateway(ExportedSpan s, string node) => s.Source.ServiceName == ChatAppFixture.Gateway && s.Source.ServiceInstance == node;
        bool InHistory(ExportedSpan s) => s.Source.ServiceName == ChatAppFixture.History;
        bool MassTransit(ExportedSpan s, OtlpSpanKind kind, string operation) =>
            s.Source.Scope == "MassTransit" && s.Kind == kind && s.Name.EndsWith(" " + operation, StringComparison.Ordinal);

        List<ExpectedSpan> expected =
        [
            new($"'chat send' (server) on the accepting replica {accepting}", s => OnGateway(s, accepting) && s.Name == "chat send"),
            new($"MassTransit's publish (producer, '<exchange> send') on {accepting}", s => OnGateway(s, accepting) && MassTransit(s, OtlpSpanKind.Producer, "send")),
            .. replicas.SelectMany(node => new ExpectedSpan[]
            {
                new($"MassTransit's '<fanout queue> receive' (consumer) on replica {node}", s => OnGateway(s, node) && MassTransit(s, OtlpSpanKind.Consumer, "receive")),
                new($"MassTransit's '<fanout queue> process' (consumer) on replica {node}", s => OnGateway(s, node) && MassTransit(s, OtlpSpanKind.Consumer, "process")),
                new($"'chat deliver' on replica {node}", s => OnGateway(s, node) && s.Name == "chat deliver"),
            }),
            new("MassTransit's 'chat-history receive' (consumer) in history", s => InHistory(s) && MassTransit(s, OtlpSpanKind.Consumer, "receive")),
            new("MassTransit's 'chat-history process' (consumer) in history", s => InHistory(s) && MassTransit(s, OtlpSpanKind.Consumer, "process")),
            new("'history store' in history", s => InHistory(s) && s.Name == "history store"),
            new("'INSERT messages' (database client) in history", s => InHistory(s) && s.Name == "INSERT messages"),
        ];

        var trace = await app.Otlp.WaitForAsync(
            otlp => MessageTrace.TryFind(otlp.Spans, id, expected),
            TestTimeouts.Long,
            $"the complete trace of message {id}",
            otlp => MessageTrace.Describe(otlp.Spans, id, expected));
        TestContext.Current.TestOutputHelper?.WriteLine(MessageTrace.Tree(trace));
        ExportedSpan One(Func<ExportedSpan, bool> match) => Assert.Single(trace, s => match(s));
        void ChildOf(ExportedSpan parent, ExportedSpan child) =>
            Assert.True(child.ParentSpanId == parent.SpanId, $"'{child.Name}' ({child.Source.ServiceInstance}) is not a child of '{parent.Name}'");

        // One tree with one root: the send span of the accepting replica, linked to its connection's upgrade request.
        var root = Assert.Single(trace, s => s.ParentSpanId is null);
        Assert.True(OnGateway(root, accepting) && root.Name == "chat send" && root.Kind == OtlpSpanKind.Server, $"unexpected root {root}");
        Assert.True(Ours(root), $"the root lacks the room or message id: {root}");
        Assert.Equal(protocol, root.Attribute("chat.protocol"));
        Assert.Single(root.Links);

        // MassTransit's publish, under it each gateway replica's receive and process of its own fanout queue, and the delivery.
        var publish = One(s => MassTransit(s, OtlpSpanKind.Producer, "send"));
        ChildOf(root, publish);
        Assert.Equal("Chat.Contracts:ChatMessage", publish.Attribute("messaging.destination.name"));
        foreach (var node in replicas)
        {
            var receive = One(s => OnGateway(s, node) && MassTransit(s, OtlpSpanKind.Consumer, "receive"));
            var process = One(s => OnGateway(s, node) && MassTransit(s, OtlpSpanKind.Consumer, "process"));
            var deliver = One(s => OnGateway(s, node) && s.Name == "chat deliver");
            ChildOf(publish, receive);
            Assert.StartsWith("chat-message-", receive.Attribute("messaging.destination.name"), StringComparison.Ordinal);
            ChildOf(receive, process);
            ChildOf(process, deliver);
            Assert.True(Ours(deliver), $"the delivery lacks the room or message id: {deliver}");
            Assert.True(deliver.Attributes["chat.recipients"] is >= 1L, $"no recipient on replica {node}: {deliver}");
        }

        // History's receive and process of the durable queue, its store, and the insert that committed the message.
        var historyReceive = One(s => InHistory(s) && MassTransit(s, OtlpSpanKind.Consumer, "receive"));
        var historyProcess = One(s => InHistory(s) && MassTransit(s, OtlpSpanKind.Consumer, "process"));
        var store = One(s => InHistory(s) && s.Name == "history store");
        var insert = One(s => InHistory(s) && s.Name == "INSERT messages");
        ChildOf(publish, historyReceive);
        Assert.Equal("chat-history", historyReceive.Attribute("messaging.destination.name"));
        ChildOf(historyReceive, historyProcess);
        ChildOf(historyProcess, store);
        ChildOf(store, insert);
        Assert.True(Ours(store) && Ours(insert), $"history's spans lack the room or message id: {store} / {insert}");
        Assert.Equal(OtlpSpanKind.Client, insert.Kind);
        Assert.Equal("sqlite", insert.Attribute("db.system.name"));

        // Nothing else: no span of another component slipped in (e.g. RabbitMQ.Client's own, which would double each hop).
        Assert.Equal(2 + (3 * replicas.Length) + 4, trace.Count);
        // Both gateway replicas took part, as distinct instances.
        Assert.Equal(replicas.Order(), trace.Where(s => s.Name == "chat deliver").Select(s => s.Source.ServiceInstance!).Order());
        // MassTransit's spans carry the same message id: the chat id is MassTransit's message id.
        Assert.All(trace.Where(s => s.Source.Scope == "MassTransit"), s =>
        {
            Assert.Equal(messageId, s.Attribute("messaging.masstransit.message_id"));
            Assert.True(s.Attribute("messaging.message.id") is null || s.Attribute("messaging.message.id") == messageId, $"another message id on {s}");
        });
        // The text is never recorded: not in this trace, nor in any span exported so far.
        var leaking = app.Otlp.Spans.Where(s => s.Attributes.Values.Any(v => v?.ToString()?.Contains(text, StringComparison.Ordinal) == true)).ToList();
        if (leaking.Count > 0)
        {
            throw new XunitException("The message text is in span attributes:\n" + string.Join("\n", leaking));
        }
    }
}

using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>PROTOCOL.md's <c>/websocket</c> section: the 2013 talk's client, unchanged.</summary>
[Collection(AppCollection.Name)]
public sealed class PlainTextProtocolTests(ChatAppFixture app)
{
    async Task<ChatClient> ConnectPlainAsync(string user) => await ChatClient.ConnectRawAsync(app.GatewaySocket("/websocket", user));

    [Fact]
    public async Task A_frame_is_published_to_lobby_and_answered_recv()
    {
        var user = Names.User("old");
        await using var client = await ConnectPlainAsync(user);

        await client.SendTextAsync("hello from 2013");

        await client.WaitForLineAsync(l => l == "recv: hello from 2013");
        await client.WaitForLineAsync(l => l == $"{user}: hello from 2013");
    }

    [Fact]
    public async Task The_2013_client_and_a_json_client_on_the_other_replica_talk_in_lobby()
    {
        var (oldUser, newUser) = (Names.User("old"), Names.User("new"));
        var replicas = await app.GetGatewayReplicasAsync();
        await using var json = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: newUser));
        await using var plain = await ChatClient.ConnectRawAsync(ChatAppFixture.ReplicaSocket(replicas[1], "/websocket", oldUser));
        await using var probe = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1]));
        Assert.NotEqual(json.Node, probe.Node); // the plain client's replica is not the JSON client's
        await json.JoinAsync("lobby");

        await plain.SendTextAsync("from the old client");
        var message = await json.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["user"] == oldUser);
        Assert.Equal("lobby", (string?)message["room"]);
        Assert.Equal("from the old client", (string?)message["text"]);

        await json.SendAcknowledgedAsync("lobby", "from the new client");
        await plain.WaitForLineAsync(l => l == $"{newUser}: from the new client");
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public async Task Blank_text_is_answered_error_invalid_text_and_not_published(string text)
    {
        var user = Names.User("old");
        await using var client = await ConnectPlainAsync(user);

        await client.SendTextAsync(text);
        await client.WaitForLineAsync(l => l == "error: invalid_text");
        await client.SendTextAsync("after");
        await client.WaitForLineAsync(l => l == "recv: after");

        Assert.DoesNotContain(client.ReceivedSoFar(), l => l == $"{user}: {text}");
    }

    [Fact]
    public async Task Text_over_4000_characters_is_answered_error_invalid_text()
    {
        await using var client = await ConnectPlainAsync(Names.User("old"));

        await client.SendTextAsync(new string('x', 4001));

        await client.WaitForLineAsync(l => l == "error: invalid_text");
    }

    [Fact]
    public async Task Past_the_burst_frames_are_answered_error_rate_limited()
    {
        var user = Names.User("old");
        await using var client = await ConnectPlainAsync(user);
        const int sends = 200;

        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < sends; i++)
        {
            await client.SendTextAsync($"m{i}");
        }

        var answers = new List<string>();
        for (var i = 0; i < sends; i++)
        {
            answers.Add(await client.WaitForLineAsync(l => l.StartsWith("recv: ", StringComparison.Ordinal) || l.StartsWith("error: ", StringComparison.Ordinal), TestTimeouts.Long));
        }

        var received = answers.Count(a => a.StartsWith("recv: ", StringComparison.Ordinal));
        Assert.InRange(received, 40, 40 + (int)Math.Ceiling(20 * started.Elapsed.TotalSeconds) + 1);
        Assert.Equal(sends - received, answers.Count(a => a == "error: rate_limited"));
    }

    [Fact]
    public async Task A_binary_frame_is_answered_error_unsupported_frame()
    {
        await using var client = await ConnectPlainAsync(Names.User("old"));

        await client.SendBytesAsync([0xFF, 0x00], WebSocketMessageType.Binary);

        await client.WaitForLineAsync(l => l == "error: unsupported_frame");
    }

    [Fact]
    public async Task Without_a_user_the_2013_client_gets_a_guest_name()
    {
        await using var client = await ChatClient.ConnectRawAsync(app.GatewaySocket("/websocket"));

        await client.SendTextAsync("who am i");

        var line = await client.WaitForLineAsync(l => l.EndsWith(": who am i", StringComparison.Ordinal) && !l.StartsWith("recv", StringComparison.Ordinal));
        Assert.Matches("^guest-[a-z0-9]{6}: who am i$", line);
    }

    [Fact]
    public async Task Html_in_a_message_reaches_the_2013_client_as_the_same_text()
    {
        var user = Names.User("old");
        await using var client = await ConnectPlainAsync(user);

        await client.SendTextAsync("<img src=x onerror=alert(1)>");

        await client.WaitForLineAsync(l => l == $"{user}: <img src=x onerror=alert(1)>");
    }
}

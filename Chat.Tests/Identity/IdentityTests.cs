using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Identity;

/// <summary>PROTOCOL.md v1.1's Identity in token mode, through the real AppHost configured on its command line.</summary>
[Collection(TokenCollection.Name)]
public sealed class IdentityTests(TokenAppFixture app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/ws")]
    [InlineData("/websocket")]
    public async Task An_upgrade_without_a_token_is_refused_with_401_and_a_one_line_reason(string path)
    {
        var response = await RawHttp.UpgradeAsync(app.GatewayHttp, $"{path}?user=alice");

        Assert.Equal(401, response.StatusCode);
        Assert.Equal("no access token: send one as ?access_token= or Authorization: Bearer\n", response.Body);
    }

    [Theory]
    [InlineData("forged", "the access token's signature is not valid")]
    [InlineData("issuer", "the access token's issuer is not accepted")]
    [InlineData("audience", "the access token's audience is not accepted")]
    [InlineData("expired", "the access token has expired")]
    [InlineData("garbage", "the access token is not valid")]
    public async Task A_bad_token_is_refused_with_401_and_says_why(string kind, string reason)
    {
        var tokens = app.Tokens;
        var token = kind switch
        {
            "forged" => tokens.Forged("alice"),
            "issuer" => tokens.Create("alice", issuer: "someone-else"),
            "audience" => tokens.Create("alice", audience: "another-app"),
            "expired" => tokens.Create("alice", lifetime: TimeSpan.FromMinutes(-10)),
            _ => "not.a.jwt",
        };

        var response = await RawHttp.UpgradeAsync(app.GatewayHttp, $"/ws?access_token={Uri.EscapeDataString(token)}");

        Assert.Equal(401, response.StatusCode);
        Assert.Equal(reason + "\n", response.Body);
    }

    [Fact]
    public async Task A_name_claim_that_breaks_the_user_rules_is_refused_with_403()
    {
        var response = await RawHttp.UpgradeAsync(app.GatewayHttp, $"/ws?access_token={app.Tokens.Create("alice smith")}");

        Assert.Equal(403, response.StatusCode);
        Assert.Equal("the token's name breaks the user rules: user may contain only A-Z a-z 0-9 _ . -\n", response.Body);
    }

    [Fact]
    public async Task The_user_is_the_tokens_name_and_a_user_in_the_query_is_ignored()
    {
        var uri = new UriBuilder(app.SocketWithToken(app.Tokens.Create("alice"))) { Query = $"user=mallory&access_token={app.Tokens.Create("alice")}" }.Uri;
        await using var client = await ChatClient.ConnectAsync(uri);

        Assert.Equal("alice", client.User);
    }

    [Fact]
    public async Task Without_a_name_claim_the_user_is_the_tokens_sub()
    {
        await using var client = await ChatClient.ConnectAsync(app.SocketWithToken(app.Tokens.Create(name: null, sub: "user-42")));

        Assert.Equal("user-42", client.User);
    }

    [Fact]
    public async Task A_token_in_the_authorization_header_is_accepted()
    {
        var token = app.Tokens.Create("bob");
        await using var client = await ChatClient.ConnectAsync(app.GatewaySocket(), o => o.SetRequestHeader("Authorization", $"Bearer {token}"));

        Assert.Equal("bob", client.User);
    }

    [Fact]
    public async Task The_2013_client_connects_with_a_token_and_speaks_as_its_user()
    {
        await using var plain = await ChatClient.ConnectRawAsync(app.SocketWithToken(app.Tokens.Create("oldtimer"), "/websocket"));
        await using var json = await ChatClient.ConnectAsync(app.SocketWithToken(app.Tokens.Create("newcomer")));
        await json.JoinAsync(ChatRules.DefaultRoom);

        await plain.SendTextAsync("hello in token mode");

        await plain.WaitForLineAsync(l => l == "recv: hello in token mode");
        var message = await json.WaitForAsync(f => (string?)f["type"] == "message" && (string?)f["text"] == "hello in token mode");
        Assert.Equal("oldtimer", (string?)message["user"]);
    }

    [Fact]
    public async Task A_token_valid_for_months_is_accepted_as_dotnet_user_jwts_makes_them()
    {
        await using var client = await ChatClient.ConnectAsync(app.SocketWithToken(app.Tokens.Create("longlived", lifetime: TimeSpan.FromDays(90))));

        Assert.Equal("longlived", client.User);
        Assert.Equal("joined", (string?)(await client.JoinAsync(Names.Room("months")))["type"]);
    }

    [Fact]
    public async Task A_connection_is_closed_with_1008_when_its_token_expires()
    {
        await using var client = await ChatClient.ConnectAsync(app.SocketWithToken(app.Tokens.Create("shortlived", lifetime: TimeSpan.FromSeconds(3))));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.Closed.WaitAsync(TestTimeouts.Network, Ct));
    }

    [Fact]
    public async Task The_history_api_requires_the_token_and_answers_401_with_problem_details()
    {
        using var http = app.CreateHistoryClient();

        using var anonymous = await http.GetAsync("/rooms/lobby/messages", Ct).WaitAsync(TestTimeouts.Network, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await anonymous.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(401, (int?)problem["status"]);
        Assert.Equal("no access token: send one as ?access_token= or Authorization: Bearer", (string?)problem["detail"]);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/rooms/lobby/messages");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tokens.Create("carol"));
        using var authorized = await http.SendAsync(request, Ct).WaitAsync(TestTimeouts.Network, Ct);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task Join_answers_with_history_asked_with_the_users_token()
    {
        var room = Names.Room("token-history");
        await using var alice = await ChatClient.ConnectAsync(app.SocketWithToken(app.Tokens.Create("alice")));
        await alice.JoinAsync(room);
        var id = await alice.SendAcknowledgedAsync(room, "kept");
        await Eventually.UntilAsync(async c =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{room}/messages");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tokens.Create("carol"));
            using var http = app.CreateHistoryClient();
            using var response = await http.SendAsync(request, c);
            return await response.Content.ReadAsStringAsync(c);
        }, body => body.Contains(id.ToString(), StringComparison.Ordinal), TestTimeouts.Long, "the message stored");

        await using var bob = await ChatClient.ConnectAsync(app.SocketWithToken(app.Tokens.Create("bob")));
        var joined = await bob.JoinAsync(room);

        Assert.Null(joined["historyComplete"]);
        Assert.Equal(id.ToString(), (string?)Assert.Single(joined["history"]!.AsArray())!["id"]);
    }
}

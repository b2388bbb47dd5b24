using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>PROTOCOL.md's history REST API through the real app.</summary>
[Collection(AppCollection.Name)]
public sealed class HistoryApiTests(ChatAppFixture app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<(string Room, List<Guid> Ids)> SeedAsync(int count)
    {
        var room = Names.Room("api");
        await using var alice = await ChatClient.ConnectAsync(app.GatewaySocket(user: "alice"));
        await alice.JoinAsync(room);
        var ids = new List<Guid>();
        while (ids.Count < count)
        {
            var answer = await alice.SendMessageAsync(room, $"m{ids.Count}");
            if ((string?)answer["type"] == "ack")
            {
                ids.Add(Guid.Parse((string)answer["id"]!));
            }
            else
            {
                Assert.Equal("rate_limited", (string?)answer["code"]); // past the burst: the next try is answered soon
            }
        }

        await Eventually.UntilAsync(c => app.GetHistoryAsync(room, c), h => h.Count == count, TestTimeouts.Long, $"{count} messages stored");
        return (room, ids);
    }

    async Task<List<Guid>> PageAsync(string query)
    {
        using var http = app.CreateHistoryClient();
        var page = await http.GetFromJsonAsync<MessagePage>(query, JsonDefaults.Options, Ct).WaitAsync(TestTimeouts.Network, Ct);
        return [.. page!.Messages.Select(m => m.Id)];
    }

    [Fact]
    public async Task Paging_by_limit_before_and_after_returns_ascending_pages()
    {
        var (room, ids) = await SeedAsync(60);

        Assert.Equal(ids.TakeLast(50), await PageAsync($"/rooms/{room}/messages"));
        Assert.Equal(ids.TakeLast(10), await PageAsync($"/rooms/{room}/messages?limit=10"));
        Assert.Equal(ids.Skip(20).Take(10), await PageAsync($"/rooms/{room}/messages?limit=10&before={ids[30]}"));
        Assert.Equal(ids.Skip(31).Take(5), await PageAsync($"/rooms/{room}/messages?limit=5&after={ids[30]}"));
        Assert.Equal(ids, await PageAsync($"/rooms/{room}/messages?limit=500&after={MessageIds.Floor(DateTimeOffset.UnixEpoch)}"));
        Assert.Empty(await PageAsync($"/rooms/{room}/messages?after={ids[^1]}"));
        Assert.Empty(await PageAsync($"/rooms/{room}/messages?before={ids[0]}"));
    }

    [Fact]
    public async Task A_room_without_messages_is_an_empty_page()
    {
        using var http = app.CreateHistoryClient();
        var room = Names.Room("none");

        var body = await http.GetFromJsonAsync<JsonObject>($"/rooms/{room}/messages", Ct).WaitAsync(TestTimeouts.Network, Ct);

        Assert.Equal(room, (string?)body!["room"]);
        Assert.Empty(body["messages"]!.AsArray());
    }

    [Fact]
    public async Task Messages_have_the_protocol_fields_without_type()
    {
        var (room, ids) = await SeedAsync(1);
        using var http = app.CreateHistoryClient();

        var body = await http.GetFromJsonAsync<JsonObject>($"/rooms/{room}/messages", Ct).WaitAsync(TestTimeouts.Network, Ct);

        var message = body!["messages"]![0]!.AsObject();
        Assert.Equal(["id", "room", "user", "text", "sentAt"], message.Select(p => p.Key));
        Assert.Equal(ids[0].ToString(), (string?)message["id"]);
        Assert.Matches(@"Z$", (string?)message["sentAt"]);
    }

    [Theory]
    [InlineData("/rooms/bad%20room/messages", "room")]
    [InlineData("/rooms/x/messages?limit=0", "limit")]
    [InlineData("/rooms/x/messages?limit=501", "limit")]
    [InlineData("/rooms/x/messages?before=nope", "before")]
    [InlineData("/rooms/x/messages?after=3f2504e0-4f89-41d3-9a0c-0305e82c3301", "after")]
    public async Task Invalid_input_is_a_400_problem_naming_the_field(string url, string field)
    {
        using var http = app.CreateHistoryClient();

        using var response = await http.GetAsync(url, Ct).WaitAsync(TestTimeouts.Network, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal(400, (int?)problem!["status"]);
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task A_limit_that_is_not_a_number_is_a_400_problem()
    {
        using var http = app.CreateHistoryClient();

        using var response = await http.GetAsync("/rooms/x/messages?limit=ten", Ct).WaitAsync(TestTimeouts.Network, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["errors"]!["limit"]);
    }

    [Fact]
    public async Task The_openapi_document_and_the_api_reference_are_served_in_development()
    {
        using var http = app.CreateHistoryClient();

        var document = await http.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct).WaitAsync(TestTimeouts.Network, Ct);
        using var reference = await http.GetAsync("/scalar/v1", Ct).WaitAsync(TestTimeouts.Network, Ct);

        Assert.NotNull(document!["paths"]!["/rooms/{room}/messages"]);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
    }
}

using Chat.Tests.Identity;
using Chat.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Browser;

/// <summary>
/// The chat page against the app in token mode (PROTOCOL.md v1.1's Identity), in the token collection so that one
/// token-mode app serves these tests and the protocol's. A browser cannot read why an upgrade was refused: the page
/// has to tell a refused token from a network error by itself.
/// </summary>
[Collection(TokenCollection.Name)]
public sealed class TokenPageTests(TokenAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    static readonly float Timeout = BrowserSession.Timeout;

    BrowserSession NewSession() => new(chromium.Browser, app.GatewayHttp);

    [Fact]
    public async Task A_token_in_the_address_fragment_signs_the_page_in_as_its_user_and_leaves_the_address_bar()
    {
        var room = Names.Room("token");
        var user = Names.User("tessa");
        await using var session = NewSession();

        var page = await ChatPage.OpenWithTokenAsync(session, app.Tokens.Create(user), room);

        await Expect(page.UserName).ToHaveTextAsync(user, new() { Timeout = Timeout });
        Assert.DoesNotContain("access_token", page.Page.Url, StringComparison.Ordinal);
        await Expect(page.NameInput).ToBeHiddenAsync(new() { Timeout = Timeout });
        await Expect(page.SignIn).ToBeHiddenAsync(new() { Timeout = Timeout });
        await page.TypeAndSendAsync("signed in");
        var id = await page.WaitUntilSentAsync("signed in");
        await Expect(page.MessageWithId(id)).ToHaveAttributeAsync("data-user", user, new() { Timeout = Timeout });

        // The tab keeps the token: a reload signs in again.
        await page.Page.ReloadAsync(new() { Timeout = Timeout });
        await page.WaitUntilInRoomAsync(room);
        await Expect(page.UserName).ToHaveTextAsync(user, new() { Timeout = Timeout });
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task A_forged_token_is_refused_and_the_page_says_so_and_shows_the_sign_in_field_instead_of_retrying()
    {
        var room = Names.Room("forged");
        var user = Names.User("mallory");
        await using var session = NewSession();

        var page = await ChatPage.OpenWithTokenUnjoinedAsync(session, app.Tokens.Forged(user), room);

        await Expect(page.SignIn).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(page.SignInReason).ToContainTextAsync("refused this access token", new() { Timeout = Timeout });
        await Expect(page.Status).ToHaveAttributeAsync("data-state", "disconnected", new() { Timeout = Timeout });
        Assert.True(await BrowserSession.EvaluateAsync<bool>(page.Page, "() => window.chat.socket === null && !window.chat.reconnectPending"),
            "the page still tries to connect with the refused token");
        await Expect(page.UserName).ToHaveCountAsync(0, new() { Timeout = Timeout });

        // A good token in the field signs in.
        await page.TokenInput.FillAsync(app.Tokens.Create(user), new() { Timeout = Timeout });
        await page.SignInButton.ClickAsync(new() { Timeout = Timeout });
        await page.WaitUntilInRoomAsync(room);
        await Expect(page.UserName).ToHaveTextAsync(user, new() { Timeout = Timeout });
        await Expect(page.SignIn).ToBeHiddenAsync(new() { Timeout = Timeout });
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task Without_a_token_the_page_asks_to_sign_in_and_a_token_typed_in_the_field_connects()
    {
        var room = Names.Room("no-token");
        var user = Names.User("nina");
        await using var session = NewSession();

        var page = new ChatPage(await session.OpenAsync($"/?user={user}&room={room}"));

        await Expect(page.SignIn).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(page.SignInReason).ToContainTextAsync("asks you to sign in", new() { Timeout = Timeout });
        await Expect(page.NameInput).ToBeHiddenAsync(new() { Timeout = Timeout });
        Assert.True(await BrowserSession.EvaluateAsync<bool>(page.Page, "() => window.chat.socket === null && !window.chat.reconnectPending"),
            "the page still tries to connect without a token");

        await page.TokenInput.FillAsync(app.Tokens.Create(user), new() { Timeout = Timeout });
        await page.TokenInput.PressAsync("Enter", new() { Timeout = Timeout });
        await page.WaitUntilInRoomAsync(room);
        await Expect(page.UserName).ToHaveTextAsync(user, new() { Timeout = Timeout });
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task When_the_token_expires_the_page_asks_for_a_new_one_and_signed_in_again_recovers_the_messages_sent_meanwhile()
    {
        var room = Names.Room("expiry");
        var user = Names.User("shorty");
        await using var session = NewSession();
        await using var carol = await ChatClient.ConnectAsync(app.SocketWithToken(app.Tokens.Create(Names.User("carol"))));
        await carol.JoinAsync(room);
        SocketTap? tap = null;
        // Long enough to open the page and join on a busy machine, short enough to wait for.
        var page = await ChatPage.OpenWithTokenAsync(session, app.Tokens.Create(user, lifetime: TimeSpan.FromSeconds(10)), room,
            async context => tap = await SocketTap.InstallAsync(context));
        var before = await carol.SendAcknowledgedAsync(room, "before the expiry");
        await Expect(page.MessageWithId(before)).ToHaveCountAsync(1, new() { Timeout = Timeout });

        await Expect(page.SignIn).ToBeVisibleAsync(new() { Timeout = (float)TestTimeouts.Long.TotalMilliseconds });
        await Expect(page.SignInReason).ToContainTextAsync("expired", new() { Timeout = Timeout });
        await Expect(page.Status).ToHaveAttributeAsync("data-state", "disconnected", new() { Timeout = Timeout });
        List<Guid> meanwhile = [];
        for (var i = 1; i <= 3; i++)
        {
            meanwhile.Add(await carol.SendAcknowledgedAsync(room, $"meanwhile {i}"));
        }

        var joinsBefore = tap!.Sent().Count(f => (string?)f["type"] == "join" && (string?)f["room"] == room);
        await page.TokenInput.FillAsync(app.Tokens.Create(user), new() { Timeout = Timeout });
        await page.SignInButton.ClickAsync(new() { Timeout = Timeout });
        await page.WaitUntilInRoomAsync(room);
        await Expect(page.UserName).ToHaveTextAsync(user, new() { Timeout = Timeout });

        Guid[] sent = [before, .. meanwhile];
        foreach (var id in sent)
        {
            await Expect(page.MessageWithId(id)).ToHaveCountAsync(1, new() { Timeout = Timeout });
        }

        Assert.Equal(sent.Select(id => id.ToString()), await page.ShownIdsAsync());
        var rejoin = tap.Sent().Where(f => (string?)f["type"] == "join" && (string?)f["room"] == room).Skip(joinsBefore).First();
        Assert.Equal(before.ToString(), (string?)rejoin["since"]);
        Assert.Empty(session.PageErrors);
    }
}

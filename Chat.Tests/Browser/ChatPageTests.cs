using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Browser;

/// <summary>The chat page (<c>/</c>) in a real browser against the real app: two replicas, the broker, history.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageTests(ChatAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    /// <summary>How many pages to open, at most, before giving up on reaching the other replica.</summary>
    const int PagesToReachAnotherReplica = 20;

    BrowserSession NewSession() => new(chromium.Browser, app.GatewayHttp);

    [Fact]
    public async Task Two_pages_on_different_gateway_replicas_chat_with_each_other()
    {
        var room = Names.Room("replicas");
        var aliceName = Names.User("alice");
        var bobName = Names.User("bob");
        await using var session = NewSession();
        var alice = await ChatPage.OpenAsync(session, aliceName, room);
        var aliceNode = await alice.NodeAsync();
        var bob = await OpenOnAnotherReplicaAsync(session, bobName, room, aliceNode);

        await alice.RecordMessageStatesAsync();
        var hello = $"hello from {aliceNode}";
        await alice.TypeAndSendAsync(hello);
        var helloId = await alice.WaitUntilSentAsync(hello);

        Assert.Equal(["pending ", $"sent {helloId}"], await alice.RecordedStatesAsync(hello));
        var received = bob.MessageWithId(helloId);
        await Expect(received).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        await Expect(received).ToHaveAttributeAsync("data-user", aliceName, new() { Timeout = BrowserSession.Timeout });
        await Expect(received.GetByTestId("message-text")).ToHaveTextAsync(hello, new() { Timeout = BrowserSession.Timeout });

        var reply = $"hello back from {await bob.NodeAsync()}";
        await bob.TypeAndSendAsync(reply);
        var replyId = await bob.WaitUntilSentAsync(reply);
        await Expect(alice.MessageWithId(replyId)).ToHaveAttributeAsync("data-user", bobName, new() { Timeout = BrowserSession.Timeout });
        await Expect(alice.Messages).ToHaveCountAsync(2, new() { Timeout = BrowserSession.Timeout });
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task A_page_whose_socket_drops_reconnects_and_shows_the_messages_sent_meanwhile_once_and_in_order()
    {
        var room = Names.Room("reconnect");
        await using var session = NewSession();
        // Playwright's clock drives the page's timers: paused, the page's reconnect timer cannot fire, so the
        // messages below are certainly sent while the page is away (its backoff is otherwise under a second).
        var page = await ChatPage.OpenAsync(session, Names.User("dana"), room, beforeLoad: context => context.Clock.InstallAsync());
        await using var carol = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("carol")));
        await carol.JoinAsync(room);
        var before = await carol.SendAcknowledgedAsync(room, "before the drop");
        await Expect(page.MessageWithId(before)).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });

        await page.PauseClockAsync();
        await page.DropSocketAsync();
        await Expect(page.Status).ToHaveAttributeAsync("data-state", "connecting", new() { Timeout = BrowserSession.Timeout });
        List<Guid> meanwhile = [];
        for (var i = 1; i <= 3; i++)
        {
            meanwhile.Add(await carol.SendAcknowledgedAsync(room, $"meanwhile {i}"));
        }

        Assert.True(await page.HasNoSocketAsync(), "the page reconnected while its clock was paused");
        await page.ResumeClockAsync();
        await page.WaitUntilInRoomAsync(room);
        var after = await carol.SendAcknowledgedAsync(room, "after the reconnect");

        await Expect(page.MessageWithId(after)).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        Guid[] sent = [before, .. meanwhile, after];
        foreach (var id in sent)
        {
            await Expect(page.MessageWithId(id)).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        }

        Assert.Equal(sent.Select(id => id.ToString()), await page.ShownIdsAsync());
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task Markup_sent_as_a_message_is_shown_as_text_and_never_run()
    {
        const string Markup = "<img src=x onerror=window.__xss=1>";
        var room = Names.Room("xss");
        await using var session = NewSession();
        var sender = await ChatPage.OpenAsync(session, Names.User("mallory"), room);
        var reader = await ChatPage.OpenAsync(session, Names.User("erin"), room);

        await sender.TypeAndSendAsync(Markup);
        var id = await sender.WaitUntilSentAsync(Markup);
        await Expect(reader.MessageWithId(id)).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });

        foreach (var page in new[] { sender, reader })
        {
            var text = page.MessageWithId(id).GetByTestId("message-text");
            Assert.Equal(Markup, await text.TextContentAsync());
            await Expect(page.MessageList.Locator("img")).ToHaveCountAsync(0, new() { Timeout = BrowserSession.Timeout });
            Assert.True(await BrowserSession.EvaluateAsync<bool>(page.Page, "() => window.__xss === undefined"), "the markup ran");
        }

        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task On_a_phone_sized_screen_the_message_box_is_shown_and_sends()
    {
        var room = Names.Room("phone");
        await using var session = NewSession();
        var page = await ChatPage.OpenAsync(session, Names.User("phone"), room, options =>
        {
            options.ViewportSize = new() { Width = 375, Height = 667 };
            options.IsMobile = true;
            options.HasTouch = true;
            options.DeviceScaleFactor = 2;
        });

        await Expect(page.MessageInput).ToBeInViewportAsync(new() { Ratio = 1, Timeout = BrowserSession.Timeout });
        await Expect(page.SendButton).ToBeInViewportAsync(new() { Ratio = 1, Timeout = BrowserSession.Timeout });
        var overflow = await BrowserSession.EvaluateAsync<int>(page.Page, "() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");

        const string Text = "sent from a phone";
        await page.MessageInput.FillAsync(Text);
        await page.SendButton.TapAsync();
        var id = await page.WaitUntilSentAsync(Text);
        await Expect(page.MessageWithId(id)).ToBeInViewportAsync(new() { Timeout = BrowserSession.Timeout });
        await Expect(page.MessageInput).ToBeEmptyAsync(new() { Timeout = BrowserSession.Timeout });
        Assert.Empty(session.PageErrors);
    }

    /// <summary>Opens pages (each a new connection) until one is served by a replica other than <paramref name="notNode"/>.</summary>
    async Task<ChatPage> OpenOnAnotherReplicaAsync(BrowserSession session, string user, string room, string notNode)
    {
        for (var attempt = 0; attempt < PagesToReachAnotherReplica; attempt++)
        {
            var page = await ChatPage.OpenAsync(session, user, room);
            if (await page.NodeAsync() != notNode)
            {
                return page;
            }

            await session.CloseAsync(page.Page);
        }

        throw new InvalidOperationException($"{PagesToReachAnotherReplica} pages all landed on replica {notNode}.");
    }
}

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

    [Fact]
    public async Task A_long_unbroken_word_wraps_inside_its_bubble()
    {
        var room = Names.Room("long-word");
        var mine = string.Concat(Enumerable.Repeat("unbreakable", 40));
        var theirs = string.Concat(Enumerable.Repeat("antidisestablishmentarianism", 15));
        await using var session = NewSession();
        var page = await ChatPage.OpenAsync(session, Names.User("wren"), room);
        await using var other = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("otto")));
        await other.JoinAsync(room);

        await page.TypeAndSendAsync(mine);
        var mineId = await page.WaitUntilSentAsync(mine);
        var theirsId = await other.SendAcknowledgedAsync(room, theirs);
        await Expect(page.MessageWithId(theirsId)).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });

        foreach (var id in new[] { mineId, theirsId })
        {
            var fits = await BrowserSession.Bounded(page.MessageWithId(id).GetByTestId("message-bubble").EvaluateAsync<string>("""
                bubble => {
                  const list = bubble.closest("[data-testid=messages]");
                  const text = bubble.querySelector("[data-testid=message-text]");
                  const b = bubble.getBoundingClientRect(), l = list.getBoundingClientRect();
                  const lines = text.getBoundingClientRect().height / parseFloat(getComputedStyle(text).lineHeight);
                  const problems = [];
                  if (b.left < l.left || b.right > l.right) problems.push(`bubble ${b.left}-${b.right} outside the list ${l.left}-${l.right}`);
                  if (bubble.scrollWidth > bubble.clientWidth) problems.push(`bubble content ${bubble.scrollWidth} px wide in ${bubble.clientWidth}`);
                  if (list.scrollWidth > list.clientWidth) problems.push(`list scrolls sideways: ${list.scrollWidth} > ${list.clientWidth}`);
                  if (lines < 3) problems.push(`${lines} lines: not wrapped`);
                  return problems.join("; ");
                }
                """));
            Assert.True(fits == "", $"message {id}: {fits}");
        }

        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task A_join_error_is_matched_to_its_join_by_ref_even_when_an_earlier_join_is_answered_after_it()
    {
        var home = Names.Room("home");
        var slow = Names.Room("slow");
        var refused = Names.Room("refused");
        await using var session = NewSession();
        SocketTap? tap = null;
        var page = await ChatPage.OpenAsync(session, Names.User("jo"), home, beforeLoad: async c => tap = await SocketTap.InstallAsync(c));

        // The gateway answers joins in order; the first one's answer is held back so the second's error comes first.
        // The second join is made invalid on its way, so the real gateway refuses it and echoes its ref.
        tap!.Hold(f => (string?)f["type"] == "joined" && (string?)f["room"] == slow);
        tap.Rewrite(f => (string?)f["type"] == "join" && (string?)f["room"] == refused ? new() { ["type"] = "join", ["room"] = "not a room!", ["ref"] = f["ref"]?.DeepClone() } : null);
        await BrowserSession.EvaluateAsync(page.Page, "([a, b]) => { window.chat.joinRoom(a); window.chat.joinRoom(b); }", new[] { slow, refused });
        await tap.WaitUntilHeldAsync(h => h.Length == 1, "the joined of the first room held");

        await Expect(page.RoomItem(refused)).ToHaveCountAsync(0, new() { Timeout = BrowserSession.Timeout });
        await Expect(page.RoomError).ToContainTextAsync($"Could not join “{refused}”", new() { Timeout = BrowserSession.Timeout });
        await Expect(page.RoomItem(slow)).ToHaveClassAsync(ChatPage.Joining(), new() { Timeout = BrowserSession.Timeout });

        tap.Release();
        await Expect(page.RoomItem(slow)).Not.ToHaveClassAsync(ChatPage.Joining(), new() { Timeout = BrowserSession.Timeout });
        Assert.Equal([home, slow], await BrowserSession.EvaluateAsync<string[]>(page.Page, "() => window.chat.rooms.filter(r => r !== 'lobby')"));
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task A_message_typed_here_becomes_the_message_its_ack_names_though_another_tab_sent_the_same_text_first()
    {
        var room = Names.Room("twins");
        var user = Names.User("twin");
        const string Text = "the same words";
        await using var session = NewSession();
        SocketTap? tap = null;
        var page = await ChatPage.OpenAsync(session, user, room, beforeLoad: async c => tap = await SocketTap.InstallAsync(c));
        await using var otherTab = await ChatClient.ConnectAsync(app.GatewaySocket(user: user));
        await otherTab.JoinAsync(room);

        // Everything the gateway says about messages waits, so that the other tab's message reaches this page before
        // this page's own (messages of two senders may come in either order).
        tap!.Hold(f => (string?)f["type"] == "ack" || ((string?)f["type"] == "message" && (string?)f["room"] == room));
        await page.TypeAndSendAsync(Text);
        var typedHere = page.MessageWithText(Text);
        await Expect(typedHere).ToHaveAttributeAsync("data-state", "pending", new() { Timeout = BrowserSession.Timeout });
        await BrowserSession.Bounded(typedHere.EvaluateAsync("row => row.dataset.mark = 'typed-here'"));
        var mine = await tap.WaitUntilHeldAsync(h => h.Length == 2, "this page's message and its ack held");
        var otherId = await otherTab.SendAcknowledgedAsync(room, Text);
        var held = await tap.WaitUntilHeldAsync(h => h.Length == 3, "the other tab's message held");
        var ack = mine.Single(f => (string?)f["type"] == "ack");

        tap.Release(held.Single(f => (string?)f["id"] == otherId.ToString()), mine.Single(f => (string?)f["type"] == "message"), ack);

        var row = page.Page.Locator("[data-mark=typed-here]");
        await Expect(row).ToHaveAttributeAsync("data-state", "sent", new() { Timeout = BrowserSession.Timeout });
        await Expect(row).ToHaveAttributeAsync("data-id", (string)ack["id"]!, new() { Timeout = BrowserSession.Timeout });
        await Expect(page.MessageWithId(otherId)).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        await Expect(page.MessageWithText(Text)).ToHaveCountAsync(2, new() { Timeout = BrowserSession.Timeout });
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

using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Browser;

/// <summary>
/// Who is here and who is typing (PROTOCOL.md v1.1), on the chat page against the real app. Where a page's timers
/// matter (the typing line's 3 s, the composer's 2 s) Playwright's clock drives them, so no test waits on the wall clock.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PresencePageTests(ChatAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    /// <summary>Set to a directory (the repository's <c>docs</c>) to save the README's picture of members and typing there.</summary>
    const string PictureDirectoryVariable = "CHAT_README_SCREENSHOTS";

    static readonly LocatorAssertionsToHaveCountOptions Count = new() { Timeout = BrowserSession.Timeout };
    static readonly LocatorAssertionsToHaveTextOptions Text = new() { Timeout = BrowserSession.Timeout };

    BrowserSession NewSession() => new(chromium.Browser, app.GatewayHttp);

    static Func<IBrowserContext, Task> WithClock => context => context.Clock.InstallAsync();

    [Fact]
    public async Task Two_users_see_each_other_in_the_members_list_and_whoever_leaves_or_closes_the_page_disappears()
    {
        var room = Names.Room("members");
        var alice = Names.User("alice");
        var bob = Names.User("bob");
        var carol = Names.User("carol");
        await using var session = NewSession();
        var alicePage = await ChatPage.OpenAsync(session, alice, room);
        var bobPage = await ChatPage.OpenAsync(session, bob, room);

        await Expect(alicePage.Members).ToHaveCountAsync(2, Count);
        await Expect(bobPage.Members).ToHaveCountAsync(2, Count);
        Assert.Equal([alice, bob], await alicePage.MemberNamesAsync());
        Assert.Equal([alice, bob], await bobPage.MemberNamesAsync());
        await Expect(alicePage.Member(alice).GetByTestId("member-you")).ToHaveTextAsync("you", Text);
        await Expect(alicePage.Member(bob).GetByTestId("member-you")).ToHaveTextAsync("", Text);

        var carolPage = await ChatPage.OpenAsync(session, carol, room);
        await Expect(alicePage.Member(carol)).ToHaveCountAsync(1, Count);
        // Another replica may learn of bob's join up to 2 s after this one (PROTOCOL.md): then a presence frame adds him.
        await Expect(carolPage.Members).ToHaveCountAsync(3, Count);
        Assert.Equal([alice, bob, carol], await carolPage.MemberNamesAsync());

        await bobPage.RoomItem(room).GetByTestId("leave-button").ClickAsync(new() { Timeout = BrowserSession.Timeout });
        await Expect(alicePage.Member(bob)).ToHaveCountAsync(0, Count);
        await Expect(carolPage.Member(bob)).ToHaveCountAsync(0, Count);

        await session.CloseAsync(carolPage.Page);
        await Expect(alicePage.Member(carol)).ToHaveCountAsync(0, Count);
        Assert.Equal([alice], await alicePage.MemberNamesAsync());
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task A_user_typing_is_shown_to_the_other_until_their_message_arrives()
    {
        var room = Names.Room("typing");
        var alice = Names.User("alice");
        var bob = Names.User("bob");
        await using var session = NewSession();
        // The size of the README's picture; both clocks paused, so bob's line cannot run out by itself and alice's
        // page cannot say "typing" a second time (which could overtake her message on its own exchange).
        Action<BrowserNewContextOptions> picture = options => options.ViewportSize = new() { Width = 1100, Height = 700 };
        var alicePage = new ChatPage(await session.OpenAsync($"/?user={alice}&room={room}", picture, WithClock));
        var bobPage = new ChatPage(await session.OpenAsync($"/?user={bob}&room={room}", picture, WithClock));
        session.Shown = bobPage.Page;
        await alicePage.WaitUntilInRoomAsync(room);
        await bobPage.WaitUntilInRoomAsync(room);
        // A little conversation first, sent without the composer so that no earlier typing frame is still on its way.
        await SayAsync(bobPage, alicePage, "Morning! Is the draft of the release notes up?");
        await SayAsync(alicePage, bobPage, "Nearly: two sections left, presence and sign-in.");
        await SayAsync(bobPage, alicePage, "Great. Send me the link when it's ready?");
        await Expect(alicePage.Members).ToHaveCountAsync(2, Count);
        await Expect(bobPage.Members).ToHaveCountAsync(2, Count);
        await alicePage.PauseClockAsync();
        await bobPage.PauseClockAsync();

        await alicePage.MessageInput.PressSequentiallyAsync("Done! Here it", new() { Timeout = BrowserSession.Timeout });
        await Expect(bobPage.Typing).ToHaveTextAsync($"{alice} is typing…", Text);
        await SavePictureAsync(bobPage);

        await alicePage.MessageInput.PressSequentiallyAsync(" is", new() { Timeout = BrowserSession.Timeout });
        await alicePage.MessageInput.PressAsync("Enter");
        var id = await alicePage.WaitUntilSentAsync("Done! Here it is");
        await Expect(bobPage.MessageWithId(id)).ToHaveCountAsync(1, Count);
        await Expect(bobPage.Typing).ToHaveTextAsync("", Text);
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task The_typing_line_goes_about_three_seconds_after_the_last_typing_frame()
    {
        var room = Names.Room("typing-expiry");
        await using var session = NewSession();
        var page = await ChatPage.OpenAsync(session, Names.User("dora"), room, beforeLoad: WithClock);
        await using var typist = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("tim")));
        await typist.JoinAsync(room);
        await page.PauseClockAsync();

        await typist.SendJsonAsync(new { type = "typing", room });
        await Expect(page.Typing).ToHaveTextAsync($"{typist.User} is typing…", Text);
        await BrowserSession.Bounded(page.Page.Clock.RunForAsync(2_500));
        await Expect(page.Typing).ToHaveTextAsync($"{typist.User} is typing…", Text);
        await BrowserSession.Bounded(page.Page.Clock.RunForAsync(1_000));
        await Expect(page.Typing).ToHaveTextAsync("", Text);
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task The_typing_line_names_one_or_two_typists_says_several_people_for_more_and_drops_whoever_sends()
    {
        var room = Names.Room("typists");
        await using var session = NewSession();
        var page = await ChatPage.OpenAsync(session, Names.User("olga"), room, beforeLoad: WithClock);
        await using var ann = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("ann")));
        await using var ben = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("ben")));
        await using var cid = await ChatClient.ConnectAsync(app.GatewaySocket(user: Names.User("cid")));
        foreach (var client in new[] { ann, ben, cid })
        {
            await client.JoinAsync(room);
        }

        await Expect(page.Members).ToHaveCountAsync(4, Count);
        await page.PauseClockAsync();

        await ann.SendJsonAsync(new { type = "typing", room });
        await Expect(page.Typing).ToHaveTextAsync($"{ann.User} is typing…", Text);
        await ben.SendJsonAsync(new { type = "typing", room });
        await Expect(page.Typing).ToHaveTextAsync($"{ann.User} and {ben.User} are typing…", Text);
        await cid.SendJsonAsync(new { type = "typing", room });
        await Expect(page.Typing).ToHaveTextAsync("several people are typing…", Text);

        var id = await ann.SendAcknowledgedAsync(room, "done typing");
        await Expect(page.MessageWithId(id)).ToHaveCountAsync(1, Count);
        await Expect(page.Typing).ToHaveTextAsync($"{ben.User} and {cid.User} are typing…", Text);
        Assert.Empty(session.PageErrors);
    }

    [Fact]
    public async Task The_page_says_it_is_typing_at_most_every_two_seconds_and_never_for_blank_text()
    {
        var room = Names.Room("typing-sent");
        await using var session = NewSession();
        SocketTap? tap = null;
        var page = await ChatPage.OpenAsync(session, Names.User("paul"), room, beforeLoad: async context =>
        {
            tap = await SocketTap.InstallAsync(context);
            await context.Clock.InstallAsync();
        });
        await page.PauseClockAsync();
        var marker = 0;

        // Frames leave in order: a message sent after the keys marks the end of what the keys caused.
        async Task<int> TypingFramesCausedByAsync(Func<Task> keys)
        {
            var before = tap!.Sent().Length;
            await keys();
            var text = $"marker {++marker}";
            await BrowserSession.EvaluateAsync(page.Page, "text => window.chat.send(text)", text);
            var sent = await tap.WaitUntilSentAsync(s => s.Any(f => (string?)f["text"] == text), text);
            var caused = sent[before..].TakeWhile(f => (string?)f["text"] != text).Where(f => (string?)f["type"] == "typing").ToList();
            Assert.All(caused, f => Assert.Equal(room, (string?)f["room"]));
            return caused.Count;
        }

        Assert.Equal(0, await TypingFramesCausedByAsync(() => page.MessageInput.PressSequentiallyAsync("   ", new() { Timeout = BrowserSession.Timeout })));
        Assert.Equal(1, await TypingFramesCausedByAsync(() => page.MessageInput.PressSequentiallyAsync("hello there", new() { Timeout = BrowserSession.Timeout })));
        Assert.Equal(0, await TypingFramesCausedByAsync(async () =>
        {
            await BrowserSession.Bounded(page.Page.Clock.RunForAsync(1_900));
            await page.MessageInput.PressSequentiallyAsync(" and", new() { Timeout = BrowserSession.Timeout });
        }));
        Assert.Equal(1, await TypingFramesCausedByAsync(async () =>
        {
            await BrowserSession.Bounded(page.Page.Clock.RunForAsync(200));
            await page.MessageInput.PressSequentiallyAsync(" more", new() { Timeout = BrowserSession.Timeout });
        }));
        Assert.Empty(session.PageErrors);
    }

    /// <summary>Sends a message from one page and waits until the other shows it.</summary>
    static async Task SayAsync(ChatPage from, ChatPage to, string text)
    {
        await BrowserSession.EvaluateAsync(from.Page, "text => window.chat.send(text)", text);
        var id = await from.WaitUntilSentAsync(text);
        await Expect(to.MessageWithId(id)).ToHaveCountAsync(1, Count);
    }

    /// <summary>Saves the page as the README's picture when <see cref="PictureDirectoryVariable"/> names a directory.</summary>
    static async Task SavePictureAsync(ChatPage page)
    {
        if (Environment.GetEnvironmentVariable(PictureDirectoryVariable) is not { Length: > 0 } directory)
        {
            return;
        }

        await page.Page.ScreenshotAsync(new()
        {
            Path = Path.Combine(directory, "screenshot-presence.png"),
            Animations = ScreenshotAnimations.Disabled,
            Timeout = BrowserSession.Timeout,
        });
    }
}

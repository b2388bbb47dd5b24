using System.Text.RegularExpressions;
using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Browser;

/// <summary>The 2013 talk's page (<c>/2013.html</c>, plain text on <c>/websocket</c>) beside today's chat page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class Page2013Tests(ChatAppFixture app, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    const string Lobby = "lobby";

    /// <summary>The line the 2013 page shows with exactly this text.</summary>
    static ILocator Line(IPage page, string text) =>
        page.Locator("#output > p").Filter(new() { HasTextRegex = new Regex($"^{Regex.Escape(text)}$") });

    [Fact]
    public async Task The_2013_page_and_the_chat_page_see_each_others_lobby_messages()
    {
        var oldName = Names.User("talk2013");
        var newName = Names.User("today");
        await using var session = new BrowserSession(chromium.Browser, app.GatewayHttp);
        var old = await session.OpenAsync($"/2013.html?user={oldName}");
        var chat = await ChatPage.OpenAsync(session, newName, Lobby);
        await old.WaitForFunctionAsync("() => window.ws && window.ws.readyState === WebSocket.OPEN");

        var fromOld = $"hello from 2013 {Guid.NewGuid():N}";
        await old.GetByTestId("input").FillAsync(fromOld);
        await old.GetByTestId("input").PressAsync("Enter");
        await Expect(Line(old, $"recv: {fromOld}")).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        await Expect(Line(old, $"{oldName}: {fromOld}")).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        var shown = chat.MessageWithText(fromOld);
        await Expect(shown).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        await Expect(shown).ToHaveAttributeAsync("data-user", oldName, new() { Timeout = BrowserSession.Timeout });

        var fromNew = $"hello from today {Guid.NewGuid():N}";
        await chat.TypeAndSendAsync(fromNew);
        await chat.WaitUntilSentAsync(fromNew);
        await Expect(Line(old, $"{newName}: {fromNew}")).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        // The newest line is on top.
        await Expect(old.Locator("#output > p").First).ToHaveTextAsync($"{newName}: {fromNew}", new() { Timeout = BrowserSession.Timeout });
        Assert.Empty(session.PageErrors);
    }
}

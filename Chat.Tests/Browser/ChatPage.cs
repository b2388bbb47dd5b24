using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Browser;

/// <summary>The chat page (<c>/</c>) seen through its test hooks (<c>data-testid</c> and <c>window.chat</c>).</summary>
sealed partial class ChatPage(IPage page)
{
    public IPage Page => page;

    public ILocator Status => page.GetByTestId("connection-status");

    public ILocator Node => page.GetByTestId("node");

    public ILocator MessageInput => page.GetByTestId("message-input");

    public ILocator SendButton => page.GetByTestId("send-button");

    public ILocator MessageList => page.GetByTestId("messages");

    /// <summary>Every message row of the selected room, in the order shown.</summary>
    public ILocator Messages => MessageList.GetByTestId("message");

    public ILocator MessageWithId(Guid id) => page.Locator($"[data-testid=message][data-id=\"{id}\"]");

    public ILocator MessageWithText(string text) =>
        Messages.Filter(new() { Has = page.GetByTestId("message-text").GetByText(text, new() { Exact = true }) });

    public ILocator RoomItem(string room) => page.Locator($"[data-testid=room-item][data-room=\"{room}\"]");

    public ILocator RoomError => page.GetByTestId("room-error");

    /// <summary>The members of the selected room, in the order shown.</summary>
    public ILocator Members => page.GetByTestId("members").GetByTestId("member");

    public ILocator Member(string user) => page.Locator($"[data-testid=member][data-user=\"{user}\"]");

    /// <summary>The line under the messages: "alice is typing…".</summary>
    public ILocator Typing => page.GetByTestId("typing-indicator");

    /// <summary>The name the page says it is signed in as (from <c>welcome</c>).</summary>
    public ILocator UserName => page.GetByTestId("user-name");

    public ILocator NameInput => page.GetByTestId("name-input");

    /// <summary>The sign-in field of token mode, its reason line, input and button.</summary>
    public ILocator SignIn => page.GetByTestId("sign-in");

    public ILocator SignInReason => page.GetByTestId("sign-in-reason");

    public ILocator TokenInput => page.GetByTestId("token-input");

    public ILocator SignInButton => page.GetByTestId("sign-in-button");

    /// <summary>Opens <c>/?user=…&amp;room=…</c> and waits until the page is connected and has joined the room.</summary>
    public static async Task<ChatPage> OpenAsync(BrowserSession session, string user, string room,
        Action<BrowserNewContextOptions>? configure = null, Func<IBrowserContext, Task>? beforeLoad = null)
    {
        var page = new ChatPage(await session.OpenAsync($"/?user={Uri.EscapeDataString(user)}&room={Uri.EscapeDataString(room)}", configure, beforeLoad));
        await page.WaitUntilInRoomAsync(room);
        return page;
    }

    /// <summary>Opens <c>/?room=…#access_token=…</c>, as an identity provider's redirect would, and waits until in the room.</summary>
    public static async Task<ChatPage> OpenWithTokenAsync(BrowserSession session, string token, string room,
        Func<IBrowserContext, Task>? beforeLoad = null)
    {
        var page = await OpenWithTokenUnjoinedAsync(session, token, room, beforeLoad);
        await page.WaitUntilInRoomAsync(room);
        return page;
    }

    /// <summary>Opens <c>/?room=…#access_token=…</c> without waiting for anything (a token the gateway may refuse).</summary>
    public static async Task<ChatPage> OpenWithTokenUnjoinedAsync(BrowserSession session, string token, string room,
        Func<IBrowserContext, Task>? beforeLoad = null) =>
        new(await session.OpenAsync($"/?room={Uri.EscapeDataString(room)}#access_token={Uri.EscapeDataString(token)}", beforeLoad: beforeLoad));

    /// <summary>Connected (welcome read: the node is shown), the room selected and its join answered.</summary>
    public async Task WaitUntilInRoomAsync(string room)
    {
        await Expect(Status).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = BrowserSession.Timeout });
        await Expect(Node).Not.ToHaveTextAsync("–", new() { Timeout = BrowserSession.Timeout });
        await Expect(RoomItem(room)).ToHaveClassAsync(Selected(), new() { Timeout = BrowserSession.Timeout });
        await Expect(RoomItem(room)).Not.ToHaveClassAsync(Joining(), new() { Timeout = BrowserSession.Timeout });
    }

    /// <summary>The gateway replica serving the page, as the page shows it.</summary>
    public async Task<string> NodeAsync()
    {
        await Expect(Node).Not.ToHaveTextAsync("–", new() { Timeout = BrowserSession.Timeout });
        return (await Node.TextContentAsync(new() { Timeout = BrowserSession.Timeout }))!.Trim();
    }

    /// <summary>Types into the message box and presses Enter, as a person would.</summary>
    public async Task TypeAndSendAsync(string text)
    {
        await MessageInput.FillAsync(text);
        await MessageInput.PressAsync("Enter");
    }

    /// <summary>Waits until the message typed here with <paramref name="text"/> is confirmed; returns its id.</summary>
    public async Task<Guid> WaitUntilSentAsync(string text)
    {
        var message = MessageWithText(text);
        await Expect(message).ToHaveCountAsync(1, new() { Timeout = BrowserSession.Timeout });
        await Expect(message).ToHaveAttributeAsync("data-state", "sent", new() { Timeout = BrowserSession.Timeout });
        var id = await message.GetAttributeAsync("data-id");
        Assert.True(MessageIds.TryParse(id, out var parsed), $"data-id '{id}' is not a message id");
        return parsed;
    }

    /// <summary>The names in the members list, in the order shown.</summary>
    public Task<string[]> MemberNamesAsync() =>
        BrowserSession.Bounded(Members.EvaluateAllAsync<string[]>("rows => rows.map(row => row.dataset.user)"));

    /// <summary>The ids of the message rows, in the order shown.</summary>
    public Task<string[]> ShownIdsAsync() =>
        BrowserSession.Bounded(Messages.EvaluateAllAsync<string[]>("rows => rows.map(row => row.dataset.id)"));

    /// <summary>Closes the page's socket the way a network drop would end it: the page was not asked to disconnect.</summary>
    public Task DropSocketAsync() => BrowserSession.EvaluateAsync(page, "() => window.chat.socket.close()");

    /// <summary>Whether the page has no socket at all (closed, the next attempt not started).</summary>
    public Task<bool> HasNoSocketAsync() => BrowserSession.EvaluateAsync<bool>(page, "() => window.chat.socket === null");

    /// <summary>
    /// Stops the page's timers (Playwright's clock, installed before the page loaded): nothing scheduled with
    /// <c>setTimeout</c>, such as the reconnect after a drop, runs until <see cref="ResumeClockAsync"/>.
    /// </summary>
    public Task PauseClockAsync() => BrowserSession.Bounded(page.Clock.PauseAtAsync(DateTime.UtcNow.AddSeconds(1)));

    public Task ResumeClockAsync() => BrowserSession.Bounded(page.Clock.ResumeAsync());

    /// <summary>
    /// From now on, records every state each message row of the list shows (a MutationObserver, so a state that
    /// lasts a millisecond is seen too); read with <see cref="RecordedStatesAsync"/>.
    /// </summary>
    public Task RecordMessageStatesAsync() => BrowserSession.EvaluateAsync(page, """
        () => {
          const list = document.querySelector("[data-testid=messages]");
          window.__messageStates = [];
          const record = (node) => {
            if (node.nodeType !== Node.ELEMENT_NODE || node.dataset.testid !== "message") return;
            const text = node.querySelector("[data-testid=message-text]")?.textContent ?? "";
            window.__messageStates.push({ text, state: `${node.dataset.state} ${node.dataset.id}` });
          };
          new MutationObserver((records) => {
            for (const r of records) {
              if (r.type === "attributes") record(r.target);
              else r.addedNodes.forEach(record);
            }
          }).observe(list, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-state"] });
        }
        """);

    /// <summary>The states (<c>"&lt;data-state&gt; &lt;data-id&gt;"</c>) the row with this text went through, repeats collapsed.</summary>
    public async Task<List<string>> RecordedStatesAsync(string text)
    {
        var states = await BrowserSession.EvaluateAsync<string[]>(page,
            "text => window.__messageStates.filter(s => s.text === text).map(s => s.state)", text);
        return [.. states.Where((state, i) => i == 0 || states[i - 1] != state)];
    }

    [GeneratedRegex(@"\bselected\b")]
    private static partial Regex Selected();

    [GeneratedRegex(@"\bjoining\b")]
    internal static partial Regex Joining();
}

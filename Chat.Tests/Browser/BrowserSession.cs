using Chat.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chat.Tests.Browser;

/// <summary>
/// The pages of one test, each in a browser context of its own, opened on the gateway. On dispose it saves one
/// screenshot of the test's main page to <c>screenshots/</c> beside the tests (also when the test failed, which is
/// when it is wanted), writes what the pages logged and their last WebSocket frames to the test output, and closes every
/// context.
/// </summary>
sealed class BrowserSession(IBrowser browser, Uri gateway) : IAsyncDisposable
{
    /// <summary>The bound of every Playwright action and assertion, in milliseconds (Playwright's unit).</summary>
    public static readonly float Timeout = (float)TestTimeouts.Network.TotalMilliseconds;

    static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    /// <summary>How many of a page's last WebSocket frames the output shows: what the server said before a test failed.</summary>
    const int FramesKept = 60;

    readonly List<IBrowserContext> _contexts = [];
    readonly List<string> _log = [];
    readonly List<string> _pageErrors = [];
    readonly List<(string Page, Queue<string> Frames)> _frames = [];

    /// <summary>The page the screenshot shows: the first one opened unless a test chooses another.</summary>
    public IPage? Shown { get; set; }

    /// <summary>Uncaught exceptions of any page so far.</summary>
    public IReadOnlyList<string> PageErrors
    {
        get
        {
            lock (_log)
            {
                return [.. _pageErrors];
            }
        }
    }

    /// <summary>Opens a page of the gateway in a new context.</summary>
    /// <param name="pathAndQuery">The page's address relative to the gateway, e.g. <c>/2013.html?user=ann</c>.</param>
    /// <param name="configure">Changes the context's options (a phone's viewport, say).</param>
    /// <param name="beforeLoad">Runs on the context before the page loads (to install Playwright's clock, say).</param>
    public async Task<IPage> OpenAsync(string pathAndQuery, Action<BrowserNewContextOptions>? configure = null, Func<IBrowserContext, Task>? beforeLoad = null)
    {
        var options = new BrowserNewContextOptions { BaseURL = gateway.ToString(), ViewportSize = Desktop };
        configure?.Invoke(options);
        var context = await Bounded(browser.NewContextAsync(options));
        _contexts.Add(context);
        context.SetDefaultTimeout(Timeout);
        context.SetDefaultNavigationTimeout(Timeout);
        if (beforeLoad is not null)
        {
            await Bounded(beforeLoad(context));
        }

        var page = await Bounded(context.NewPageAsync());
        var name = $"page {_contexts.Count}";
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                Note($"{name} console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) =>
        {
            Note($"{name} uncaught: {error}");
            lock (_log)
            {
                _pageErrors.Add(error);
            }
        };
        var frames = new Queue<string>();
        _frames.Add((name, frames));
        page.WebSocket += (_, socket) =>
        {
            socket.FrameSent += (_, frame) => Keep(frames, "sent", frame.Text);
            socket.FrameReceived += (_, frame) => Keep(frames, "received", frame.Text);
            socket.Close += (_, _) => Keep(frames, "closed", socket.Url);
        };
        Shown ??= page;
        await page.GotoAsync(pathAndQuery);
        return page;
    }

    /// <summary>Closes a page that is not wanted any more (and its context).</summary>
    public async Task CloseAsync(IPage page)
    {
        _contexts.Remove(page.Context);
        if (Shown == page)
        {
            Shown = null;
        }

        await Bounded(page.Context.CloseAsync());
    }

    /// <summary>Runs a script in the page, bounded like every other wait on the browser.</summary>
    public static Task<T> EvaluateAsync<T>(IPage page, string expression, object? argument = null) =>
        Bounded(page.EvaluateAsync<T>(expression, argument));

    /// <inheritdoc cref="EvaluateAsync{T}"/>
    public static Task EvaluateAsync(IPage page, string expression, object? argument = null) =>
        Bounded(page.EvaluateAsync(expression, argument));

    /// <summary>Bounds a browser call that has no timeout of its own (evaluate, clock, context and page creation).</summary>
    public static Task Bounded(Task task) => task.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);

    /// <inheritdoc cref="Bounded(Task)"/>
    public static Task<T> Bounded<T>(Task<T> task) => task.WaitAsync(TestTimeouts.Network, TestContext.Current.CancellationToken);

    void Keep(Queue<string> frames, string direction, string? text)
    {
        lock (_log)
        {
            frames.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {direction} {text}");
            if (frames.Count > FramesKept)
            {
                frames.Dequeue();
            }
        }
    }

    void Note(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Shown is { IsClosed: false } page)
        {
            var test = TestContext.Current.TestMethod?.MethodName ?? "test";
            var path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"{test}.png");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await page.ScreenshotAsync(new() { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled, Timeout = Timeout });
                Note($"screenshot: {path}");
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException or IOException)
            {
                Note($"no screenshot: {ex.Message}");
            }
        }

        var output = TestContext.Current.TestOutputHelper;
        lock (_log)
        {
            foreach (var line in _log)
            {
                output?.WriteLine(line);
            }

            foreach (var (name, frames) in _frames)
            {
                output?.WriteLine($"{name}, its last {frames.Count} WebSocket frames:");
                foreach (var frame in frames)
                {
                    output?.WriteLine("  " + frame);
                }
            }
        }

        foreach (var context in _contexts)
        {
            try
            {
                await context.CloseAsync().WaitAsync(TestTimeouts.Network);
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
            {
                output?.WriteLine($"closing a context: {ex.Message}");
            }
        }
    }
}

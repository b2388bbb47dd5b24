using Chat.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chat.Tests.Browser;

/// <summary>
/// Debian's chromium driven by Playwright, launched once per test class; every page gets a browser context of its
/// own (its own cookies, storage and connections). Playwright never downloads a browser here: the executable is
/// the system's (<c>apt-get install chromium</c>), or the one named by <c>CHAT_CHROMIUM</c>.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    const string DefaultExecutable = "/usr/bin/chromium";

    static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic",
    ];

    IPlaywright? _playwright;
    IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    public async ValueTask InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("CHAT_CHROMIUM") is { Length: > 0 } path ? path : DefaultExecutable;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"The browser tests need chromium at {executable} (apt-get install chromium, or set CHAT_CHROMIUM).");
        }

        _playwright = await Playwright.CreateAsync().WaitAsync(TestTimeouts.Long);
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = executable,
            Headless = true,
            Args = Arguments,
            Timeout = (float)TestTimeouts.Long.TotalMilliseconds,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            try
            {
                await _browser.CloseAsync().WaitAsync(TestTimeouts.AppStop);
            }
            catch (TimeoutException)
            {
                // Disposing Playwright below ends the driver, and the browser with it.
            }
        }

        _playwright?.Dispose();
    }
}

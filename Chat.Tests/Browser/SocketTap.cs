using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Chat.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chat.Tests.Browser;

/// <summary>
/// Sits between a page and the gateway on <c>/ws</c> (Playwright's WebSocket routing, installed on the context before
/// the page loads). It records the frames the page sends, can change one before the gateway reads it, and can hold
/// back the gateway's frames until the test releases them in an order it chooses: one the protocol allows, such as
/// answers to different frames, or messages of different senders, in another order than this run happened to give.
/// </summary>
sealed partial class SocketTap
{
    readonly Lock _gate = new();
    readonly List<JsonObject> _sent = [];
    readonly List<(IWebSocketRoute Page, JsonObject Frame, string Text)> _held = [];
    Func<JsonObject, bool> _hold = _ => false;
    Func<JsonObject, JsonObject?> _rewrite = _ => null;

    public static async Task<SocketTap> InstallAsync(IBrowserContext context)
    {
        var tap = new SocketTap();
        await BrowserSession.Bounded(context.RouteWebSocketAsync(JsonSocket(), tap.Route));
        return tap;
    }

    /// <summary>From now on, the gateway's frames that match are held instead of delivered.</summary>
    public void Hold(Func<JsonObject, bool> match)
    {
        lock (_gate)
        {
            _hold = match;
        }
    }

    /// <summary>From now on, a frame of the page for which <paramref name="change"/> returns a frame is replaced by it.</summary>
    public void Rewrite(Func<JsonObject, JsonObject?> change)
    {
        lock (_gate)
        {
            _rewrite = change;
        }
    }

    /// <summary>The frames the page sent so far (before any rewrite), in order.</summary>
    public JsonObject[] Sent()
    {
        lock (_gate)
        {
            return [.. _sent];
        }
    }

    public JsonObject[] Held()
    {
        lock (_gate)
        {
            return [.. _held.Select(h => h.Frame)];
        }
    }

    public Task<JsonObject[]> WaitUntilHeldAsync(Func<JsonObject[], bool> condition, string what) =>
        Eventually.UntilAsync(_ => Task.FromResult(Held()), condition, TestTimeouts.Network, what);

    public Task<JsonObject[]> WaitUntilSentAsync(Func<JsonObject[], bool> condition, string what) =>
        Eventually.UntilAsync(_ => Task.FromResult(Sent()), condition, TestTimeouts.Network, what);

    /// <summary>
    /// Stops holding and delivers the held frames: <paramref name="first"/> (held frames, as <see cref="Held"/> returned
    /// them) in that order, then the rest in the order they came. Later frames wait until these are on their way.
    /// </summary>
    public void Release(params JsonObject[] first)
    {
        lock (_gate)
        {
            _hold = _ => false;
            var order = _held.OrderBy(h => Array.IndexOf(first, h.Frame) is var i and >= 0 ? i : first.Length).ToList();
            _held.Clear();
            foreach (var (page, _, text) in order)
            {
                page.Send(text);
            }
        }
    }

    void Route(IWebSocketRoute page)
    {
        var server = page.ConnectToServer();
        page.OnMessage(frame =>
        {
            if (frame.Text is null)
            {
                server.Send(frame.Binary ?? []);
                return;
            }

            var json = Parse(frame.Text);
            JsonObject? replacement = null;
            lock (_gate)
            {
                if (json is not null)
                {
                    _sent.Add(json);
                    replacement = _rewrite(json);
                }
            }

            server.Send(replacement?.ToJsonString() ?? frame.Text);
        });
        server.OnMessage(frame =>
        {
            if (frame.Text is null)
            {
                page.Send(frame.Binary ?? []);
                return;
            }

            lock (_gate)
            {
                if (Parse(frame.Text) is { } json && _hold(json))
                {
                    _held.Add((page, json, frame.Text));
                    return;
                }

                page.Send(frame.Text);
            }
        });
    }

    static JsonObject? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"/ws(\?|$)")]
    private static partial Regex JsonSocket();
}

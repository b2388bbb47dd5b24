using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.Gateway.Protocol;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.History;

/// <summary>
/// The history service's REST API (<c>http://history</c>, service discovery). Every call answers within
/// <see cref="GatewayOptions.HistoryTimeout"/>, with nothing and <c>Complete = false</c> when history cannot be reached
/// (<see cref="HistoryClientExtensions"/>' circuit then opens, so joins answer at once).
/// </summary>
public sealed partial class HistoryClient(HttpClient http, IOptions<GatewayOptions> options, ILogger<HistoryClient> logger)
{
    /// <summary>The most messages one request asks for (the API's own limit).</summary>
    public const int PageSize = 500;

    readonly TimeSpan _timeout = options.Value.HistoryTimeout;

    /// <summary>The newest <paramref name="limit"/> messages of the room, ascending; with the user's token when there is one.</summary>
    public Task<HistoryResult> GetLatestAsync(string room, int limit, string? accessToken, CancellationToken cancellationToken) =>
        GetAsync(room, async token =>
        {
            var page = await GetPageAsync($"/rooms/{Uri.EscapeDataString(room)}/messages?limit={limit}", accessToken, token);
            return page?.Messages ?? [];
        }, cancellationToken);

    /// <summary>Every message of the room after <paramref name="after"/> (page by page, up to <paramref name="max"/>), ascending.</summary>
    public Task<HistoryResult> GetAfterAsync(string room, Guid after, int max, string? accessToken, CancellationToken cancellationToken) =>
        GetAsync(room, async token =>
        {
            var messages = new List<MessageView>();
            while (messages.Count < max)
            {
                var page = await GetPageAsync($"/rooms/{Uri.EscapeDataString(room)}/messages?limit={PageSize}&after={after}", accessToken, token);
                messages.AddRange(page?.Messages ?? []);
                if (page is null || page.Messages.Count < PageSize)
                {
                    break;
                }

                after = page.Messages[^1].Id;
            }

            return messages;
        }, cancellationToken);

    async Task<MessagePage?> GetPageAsync(string uri, string? accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(GatewayJsonContext.Default.MessagePage, cancellationToken);
    }

    async Task<HistoryResult> GetAsync(string room, Func<CancellationToken, Task<IReadOnlyList<MessageView>>> get, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout); // all pages together, not each
        try
        {
            return new HistoryResult(await get(deadline.Token), Complete: true);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && ex is HttpRequestException or OperationCanceledException or JsonException or TimeoutException or Polly.ExecutionRejectedException)
        {
            Log.Unavailable(logger, room, ex.Message);
            return new HistoryResult([], Complete: false);
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "History could not be reached for room {Room}: {Reason}")]
        public static partial void Unavailable(ILogger logger, string room, string reason);
    }
}

/// <summary>What history answered; <see cref="Complete"/> is <see langword="false"/> when it could not be reached.</summary>
public sealed record HistoryResult(IReadOnlyList<MessageView> Messages, bool Complete);

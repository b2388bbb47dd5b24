using System.Net.Http.Json;
using Chat.Gateway.Protocol;

namespace Chat.Gateway.History;

/// <summary>The history service's REST API, found through service discovery (<c>http://history</c>).</summary>
public sealed class HistoryClient(HttpClient http)
{
    /// <summary>The most messages one request asks for (the API's own limit).</summary>
    public const int PageSize = 500;

    /// <summary>The newest <paramref name="limit"/> messages of the room, ascending.</summary>
    public async Task<IReadOnlyList<MessageView>> GetLatestAsync(string room, int limit, CancellationToken cancellationToken)
    {
        var page = await http.GetFromJsonAsync($"/rooms/{Uri.EscapeDataString(room)}/messages?limit={limit}",
            GatewayJsonContext.Default.MessagePage, cancellationToken);
        return page?.Messages ?? [];
    }

    /// <summary>Every message of the room after <paramref name="after"/> (page by page, up to <paramref name="max"/>), ascending.</summary>
    public async Task<IReadOnlyList<MessageView>> GetAfterAsync(string room, Guid after, int max, CancellationToken cancellationToken)
    {
        var messages = new List<MessageView>();
        while (messages.Count < max)
        {
            var page = await http.GetFromJsonAsync($"/rooms/{Uri.EscapeDataString(room)}/messages?limit={PageSize}&after={after}",
                GatewayJsonContext.Default.MessagePage, cancellationToken);
            if (page is null || page.Messages.Count == 0)
            {
                break;
            }

            messages.AddRange(page.Messages);
            if (page.Messages.Count < PageSize)
            {
                break;
            }

            after = page.Messages[^1].Id;
        }

        return messages;
    }
}

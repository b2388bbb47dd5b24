using System.Text.Json;
using Chat.Bench.Workload;

namespace Chat.Bench.Targets;

/// <summary>
/// The platform under test: clients speak the JSON protocol to the gateways (connection <c>i</c> to gateway address
/// <c>i mod count</c>), and the history service's REST API counts what was stored.
/// </summary>
public sealed class ChatAppTarget(IReadOnlyList<Uri> gateways, HttpClient? history, string description) : IBenchTarget
{
    static readonly TimeSpan StorePollInterval = TimeSpan.FromMilliseconds(250);

    public string Name => "Chat";

    public string Description => description;

    public IReadOnlyList<Uri> Gateways => gateways;

    public async Task<IBenchClient> ConnectAsync(int index, IBenchClientHandler handler, CancellationToken cancellationToken) =>
        await JsonChatClient.ConnectAsync(gateways[index % gateways.Count], $"bench-{index}", handler, cancellationToken);

    public async Task<long?> CountStoredAsync(string room, long expected, TimeSpan settle, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            return null;
        }

        // History commits in batches behind a queue: poll until the count is complete or stops growing.
        var count = await CountHistoryAsync(history, room, cancellationToken);
        var lastGrowth = TimeProvider.System.GetTimestamp();
        while (count < expected && TimeProvider.System.GetElapsedTime(lastGrowth) < settle)
        {
            await Task.Delay(StorePollInterval, cancellationToken);
            var next = await CountHistoryAsync(history, room, cancellationToken);
            if (next != count)
            {
                count = next;
                lastGrowth = TimeProvider.System.GetTimestamp();
            }
        }

        return count;
    }

    /// <summary>Every message of the room, counted page by page through <c>GET /rooms/{room}/messages?after=…</c>.</summary>
    public static async Task<long> CountHistoryAsync(HttpClient history, string room, CancellationToken cancellationToken)
    {
        const int pageSize = 500;
        var after = MessageIds.Floor(DateTimeOffset.UnixEpoch).ToString();
        long count = 0;
        while (true)
        {
            using var response = await history.GetAsync($"/rooms/{Uri.EscapeDataString(room)}/messages?limit={pageSize}&after={after}", cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var page = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var messages = page.RootElement.GetProperty("messages");
            var length = messages.GetArrayLength();
            count += length;
            if (length < pageSize)
            {
                return count;
            }

            after = messages[length - 1].GetProperty("id").GetString()!;
        }
    }
}

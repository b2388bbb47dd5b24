using Chat.Gateway.History;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Rooms;

/// <summary>
/// Builds <c>joined.history</c>: what the history service stored, merged with this gateway's recent buffer (which
/// holds what history may not have stored yet), de-duplicated by id, ascending. With <c>since</c> it reaches back
/// a window before that message, since the clocks of gateways differ a little; the client drops duplicates.
/// </summary>
public sealed class JoinHistory(HistoryClient history, RecentMessageBuffer recent, IOptions<GatewayOptions> options)
{
    /// <summary>Messages in <c>joined</c> without <c>since</c>.</summary>
    public const int LatestCount = 50;

    /// <summary>The most messages a recovery with <c>since</c> returns.</summary>
    public const int MaxRecovered = 10_000;

    readonly GatewayOptions _options = options.Value;

    /// <summary>The messages for <c>joined</c>, asking history with the joining user's token when there is one.</summary>
    public async Task<(IReadOnlyList<MessageView> Messages, bool Complete)> GetAsync(string room, Guid? since, string? accessToken, CancellationToken cancellationToken)
    {
        Guid? after = since is { } id ? MessageIds.Floor(MessageIds.GetTimestamp(id) - _options.SinceWindow) : null;

        var (stored, complete) = after is { } a
            ? await history.GetAfterAsync(room, a, MaxRecovered, accessToken, cancellationToken)
            : await history.GetLatestAsync(room, LatestCount, accessToken, cancellationToken);
        var buffered = after is { } b ? recent.GetAfter(room, b) : recent.GetLatest(room, LatestCount);
        return (Merge(stored, buffered, after is null ? LatestCount : MaxRecovered), complete);
    }

    /// <summary>Both lists ascending, de-duplicated by id, the newest <paramref name="keep"/>.</summary>
    internal static IReadOnlyList<MessageView> Merge(IReadOnlyList<MessageView> stored, IReadOnlyList<MessageView> buffered, int keep)
    {
        var byId = new Dictionary<Guid, MessageView>(stored.Count + buffered.Count);
        foreach (var message in stored)
        {
            byId.TryAdd(message.Id, message);
        }

        foreach (var message in buffered)
        {
            byId.TryAdd(message.Id, message);
        }

        var merged = byId.Values.ToList();
        merged.Sort(static (x, y) => x.Id.CompareTo(y.Id));
        return merged.Count > keep ? merged.GetRange(merged.Count - keep, keep) : merged;
    }
}

using System.Text.Json;

namespace Chat.Tests.Infrastructure;

/// <summary>A queue's type and its members: all of them, those online, and the leader (quorum queues).</summary>
sealed record QueueMembers(string Name, string Type, IReadOnlyList<string> Members, IReadOnlyList<string> Online, string? Leader)
{
    public static QueueMembers From(JsonElement queue)
    {
        static IReadOnlyList<string> Nodes(JsonElement e) =>
            e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray().Select(n => n.GetString()!).Order(StringComparer.Ordinal)] : [];

        return new(queue.GetProperty("name").GetString()!, queue.GetProperty("type").GetString()!, Nodes(queue.GetProperty("members")),
            Nodes(queue.GetProperty("online")), queue.GetProperty("leader").ValueKind == JsonValueKind.String && queue.GetProperty("leader").GetString() is { Length: > 0 } leader ? leader : null);
    }

    public override string ToString() => $"{Name} ({Type}): members {string.Join(", ", Members)}; online {string.Join(", ", Online)}; leader {Leader}";
}

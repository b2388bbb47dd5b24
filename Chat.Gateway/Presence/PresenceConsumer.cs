using MassTransit;

namespace Chat.Gateway.Presence;

/// <summary>Applies the other instances' presence updates, in their order; a forged or broken one is logged and dropped.</summary>
public sealed partial class PresenceConsumer(PresenceTracker tracker, ILogger<PresenceConsumer> logger) : IConsumer<PresenceUpdate>
{
    static readonly HashSet<string> Kinds =
        [PresenceKinds.Joined, PresenceKinds.Left, PresenceKinds.Snapshot, PresenceKinds.Heartbeat, PresenceKinds.SyncRequest, PresenceKinds.Gone];

    public Task Consume(ConsumeContext<PresenceUpdate> context)
    {
        var update = context.Message;
        if (Validate(update) is { } problem)
        {
            Log.Invalid(logger, context.MessageId, problem);
        }
        else
        {
            tracker.Apply(update);
        }

        return Task.CompletedTask;
    }

    internal static string? Validate(PresenceUpdate? update) => update switch
    {
        null => "no body",
        { Instance: null or "" } or { Node: null or "" } => "instance or node missing",
        _ when update.Kind is null || !Kinds.Contains(update.Kind) => $"unknown kind '{update.Kind}'",
        _ when update.Members?.Any(m => m is null || !ChatRules.IsValidRoom(m.Room) || !ChatRules.IsValidUser(m.User)) == true => "a member breaks the room or user rules",
        _ => null,
    };

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Dropped presence update {MessageId}: {Problem}")]
        public static partial void Invalid(ILogger logger, Guid? messageId, string problem);
    }
}

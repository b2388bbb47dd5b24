using System.Text.Json;
using Chat.Gateway.Connections;
using Chat.Gateway.Protocol;
using Chat.Gateway.Rooms;
using MassTransit;

namespace Chat.Gateway.Presence;

/// <summary>Shows a typing user to the room's other users on this instance; a forged or broken indicator is logged and dropped.</summary>
public sealed partial class TypingConsumer(RoomRegistry rooms, ILogger<TypingConsumer> logger) : IConsumer<TypingIndicator>
{
    public Task Consume(ConsumeContext<TypingIndicator> context)
    {
        var typing = context.Message;
        if (typing is null || !ChatRules.IsValidRoom(typing.Room) || typing.User is null || !ChatRules.IsValidUser(typing.User))
        {
            Log.Invalid(logger, context.MessageId);
            return Task.CompletedTask;
        }

        var frame = JsonSerializer.SerializeToUtf8Bytes(new TypingFrame(typing.Room, typing.User), GatewayJsonContext.Default.TypingFrame);
        rooms.DeliverTyping(typing.Room, new OutboundFrame(frame), typing.User);
        return Task.CompletedTask;
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Dropped typing indicator {MessageId}: the room or user breaks the rules")]
        public static partial void Invalid(ILogger logger, Guid? messageId);
    }
}

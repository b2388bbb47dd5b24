using System.Text.Json;
using Chat.Gateway.Presence;
using Chat.Gateway.Protocol;

namespace Chat.Gateway.Connections;

/// <summary>The JSON protocol of <c>/ws</c>, as PROTOCOL.md writes it.</summary>
public sealed class JsonChatSession(ChatConnection connection, ChatSessionServices services) : ChatSession(connection, services)
{
    /// <summary>How many messages answered <c>unavailable</c> a connection keeps for a retry under the same id.</summary>
    public const int MaxUnconfirmed = 64;

    static readonly byte[] Pong = JsonSerializer.SerializeToUtf8Bytes(new PongFrame(), GatewayJsonContext.Default.PongFrame);

    readonly UnconfirmedMessages _unconfirmed = new(MaxUnconfirmed);
    readonly TypingThrottle _typing = new(services.Time);

    public override ValueTask OnOpenedAsync(CancellationToken cancellationToken)
    {
        Send(new WelcomeFrame(Connection.User, Connection.Id, Services.Node.Id), GatewayJsonContext.Default.WelcomeFrame);
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnBinaryFrameAsync(CancellationToken cancellationToken)
    {
        Error(ErrorCodes.UnsupportedFrame, "binary frames are not supported; send JSON text frames");
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask HandleTextFrameAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        if (!ClientFrameParser.TryParse(utf8.Span, out var frame, out var code, out var reason, out var reference))
        {
            Error(code, reason, reference);
            return;
        }

        switch (frame!.Type)
        {
            case ClientFrameType.Ping:
                Connection.TrySend(new OutboundFrame(Pong));
                break;
            case ClientFrameType.Join:
                await JoinAsync(frame, cancellationToken);
                break;
            case ClientFrameType.Leave:
                Leave(frame);
                break;
            case ClientFrameType.Send:
                await SendAsync(frame, cancellationToken);
                break;
            case ClientFrameType.Typing:
                Typing(frame);
                break;
        }
    }

    async Task JoinAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (RoomProblem(frame) is { } roomError)
        {
            Error(ErrorCodes.InvalidRoom, roomError, frame.Ref);
            return;
        }

        Guid? since = null;
        if (frame.Since is not null || frame.IsNotString(ClientFrameFields.Since))
        {
            if (!MessageIds.TryParse(frame.Since, out var sinceId))
            {
                Error(ErrorCodes.InvalidSince, "since must be a message id (a UUIDv7)", frame.Ref);
                return;
            }

            since = sinceId;
        }

        var room = frame.Room!;
        if (!Rooms.Contains(room) && Rooms.Count >= ChatRules.MaxRoomsPerConnection)
        {
            Error(ErrorCodes.TooManyRooms, $"a connection may be in at most {ChatRules.MaxRoomsPerConnection} rooms", frame.Ref);
            return;
        }

        await Services.Rooms.JoinAsync(Rooms, room, since, cancellationToken);
    }

    void Leave(ClientFrame frame)
    {
        if (RoomProblem(frame) is { } roomError)
        {
            Error(ErrorCodes.InvalidRoom, roomError, frame.Ref);
            return;
        }

        if (!Services.Rooms.Leave(Rooms, frame.Room!))
        {
            Error(ErrorCodes.NotJoined, "not in that room", frame.Ref);
            return;
        }

        Send(new LeftFrame(frame.Room!), GatewayJsonContext.Default.LeftFrame);
    }

    /// <summary>Tells the room's other users; more than one a second per room is dropped without an answer (PROTOCOL.md).</summary>
    void Typing(ClientFrame frame)
    {
        if (RoomProblem(frame) is { } roomError)
        {
            Error(ErrorCodes.InvalidRoom, roomError, frame.Ref);
            return;
        }

        if (!Rooms.Contains(frame.Room!))
        {
            Error(ErrorCodes.NotJoined, "join the room before typing in it", frame.Ref);
            return;
        }

        if (_typing.TryAcquire(frame.Room!))
        {
            Services.Typing.Publish(frame.Room!, Connection.User);
        }
    }

    async ValueTask SendAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (RoomProblem(frame) is { } roomError)
        {
            Error(ErrorCodes.InvalidRoom, roomError, frame.Ref);
            return;
        }

        if (frame.IsNotString(ClientFrameFields.Text))
        {
            Error(ErrorCodes.InvalidText, "text must be a string", frame.Ref);
            return;
        }

        if (ChatRules.ValidateText(frame.Text) is { } invalidText)
        {
            Error(ErrorCodes.InvalidText, invalidText, frame.Ref);
            return;
        }

        var retryOf = Guid.Empty;
        var isRetry = frame.RetryOf is not null || frame.IsNotString(ClientFrameFields.RetryOf);
        if (isRetry && !MessageIds.TryParse(frame.RetryOf, out retryOf))
        {
            Error(ErrorCodes.InvalidRetry, "retryOf must be the id an unavailable answer carried (a UUIDv7)", frame.Ref);
            return;
        }

        if (!Rooms.Contains(frame.Room!))
        {
            Error(ErrorCodes.NotJoined, "join the room before sending to it", frame.Ref);
            return;
        }

        if (!TryAcquireSendPermit())
        {
            var options = Services.Options.Value;
            Error(ErrorCodes.RateLimited, $"at most {options.MessagesPerSecond} messages a second (bursts of {options.MessageBurst})", frame.Ref);
            return;
        }

        // A retry of a message this connection holds goes out under its first id; any other is a new message (its
        // ack's id tells the client which). Answered by OnPublished, as the broker confirms: acks may come in another
        // order than the sends.
        var again = isRetry ? _unconfirmed.TryTake(retryOf, frame.Room!, frame.Text!) : null;
        await StartPublishAsync(frame.Room!, frame.Text!, frame.Ref, cancellationToken, again);
    }

    protected override void OnPublished(ChatMessage message, bool confirmed, string? reference)
    {
        if (!confirmed)
        {
            // The broker may still take it: the id lets the client recognise it if it comes, and retry under it if not.
            _unconfirmed.Add(message);
            Error(new ErrorFrame(ErrorCodes.Unavailable, "the broker did not confirm the message in time; retry with retryOf set to this id", reference) { Id = message.Id });
            return;
        }

        Send(new AckFrame(reference, message.Id, message.SentAt), GatewayJsonContext.Default.AckFrame);
    }

    static string? RoomProblem(ClientFrame frame) =>
        frame.IsNotString(ClientFrameFields.Room) ? "room must be a string" : ChatRules.ValidateRoom(frame.Room);

    void Error(string code, string message, string? reference = null) => Error(new ErrorFrame(code, message, reference));

    void Error(ErrorFrame frame)
    {
        Reject(frame.Code);
        Send(frame, GatewayJsonContext.Default.ErrorFrame);
    }

    void Send<T>(T frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        Connection.TrySend(new OutboundFrame(JsonSerializer.SerializeToUtf8Bytes(frame, typeInfo)));
}

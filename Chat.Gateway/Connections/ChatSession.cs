using System.Diagnostics;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Messaging;
using Chat.Gateway.Protocol;
using Chat.Gateway.Rooms;

namespace Chat.Gateway.Connections;

/// <summary>What both protocols share: the connection, its rooms, its rate limit, and accepting a message.</summary>
public abstract class ChatSession : IChatSession, IDisposable
{
    readonly SendRateLimiter _rateLimiter;

    protected ChatSession(ChatConnection connection, ChatSessionServices services)
    {
        Connection = connection;
        Services = services;
        var options = services.Options.Value;
        _rateLimiter = new SendRateLimiter(options.MessagesPerSecond, options.MessageBurst);
    }

    protected ChatConnection Connection { get; }

    protected ChatSessionServices Services { get; }

    public abstract ValueTask OnOpenedAsync(CancellationToken cancellationToken);

    public abstract ValueTask OnTextFrameAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken);

    public abstract ValueTask OnBinaryFrameAsync(CancellationToken cancellationToken);

    public void OnClosed() => Services.Rooms.LeaveAll(Connection);

    /// <summary>Takes one token of the connection's send rate; <see langword="false"/> when the rate is exceeded.</summary>
    protected bool TryAcquireSendPermit() => _rateLimiter.TryAcquire();

    /// <summary>
    /// Starts the span of one sent message (<see cref="GatewayTelemetry.SendActivityName"/>, kind server: it serves
    /// the client's frame). It is the root of the message's trace, not a child of the upgrade request's activity: that
    /// one lasts as long as the connection, and every message would otherwise pile into one endless trace. A link
    /// keeps the way from the message to its connection's request. MassTransit's publish span becomes its child; the
    /// publisher adds the message id, or the error when the broker did not confirm.
    /// </summary>
    protected Activity? StartSendActivity(string room, string connectionId)
    {
        var connectionActivity = Activity.Current;
        Activity.Current = null; // the async caller's copy only: the receive loop keeps the request's activity
        return GatewayTelemetry.Source.StartActivity(ActivityKind.Server, parentContext: default,
            tags:
            [
                new(GatewayTelemetry.RoomAttribute, room),
                new(GatewayTelemetry.ConnectionIdAttribute, connectionId),
                new(GatewayTelemetry.ProtocolAttribute, Connection.Kind == ConnectionKind.Json ? "json" : "text"),
            ],
            links: connectionActivity is null ? null : [new ActivityLink(connectionActivity.Context)],
            name: GatewayTelemetry.SendActivityName);
    }

    protected void Reject(string code) => Services.Telemetry.Rejected(code);

    public void Dispose()
    {
        _rateLimiter.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The singletons a session needs, in one parameter.</summary>
public sealed record ChatSessionServices(
    RoomService Rooms,
    ChatMessagePublisher Publisher,
    GatewayTelemetry Telemetry,
    GatewayNode Node,
    Microsoft.Extensions.Options.IOptions<GatewayOptions> Options,
    ILoggerFactory LoggerFactory);

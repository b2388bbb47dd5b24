using System.Diagnostics;
using Chat.Gateway.Diagnostics;
using Chat.Gateway.Messaging;
using Chat.Gateway.Protocol;
using Chat.Gateway.Rooms;

namespace Chat.Gateway.Connections;

/// <summary>What both protocols share: the connection, its rooms, its rate limit, and accepting a message.</summary>
public abstract partial class ChatSession : IChatSession, IDisposable
{
    readonly SendRateLimiter _rateLimiter;

    /// <summary>One slot per publish in flight (<see cref="GatewayOptions.MaxPublishesInFlight"/>).</summary>
    readonly SemaphoreSlim _publishSlots;

    readonly ILogger _logger;

    protected ChatSession(ChatConnection connection, ChatSessionServices services)
    {
        Connection = connection;
        Services = services;
        var options = services.Options.Value;
        _rateLimiter = new SendRateLimiter(options.MessagesPerSecond, options.MessageBurst);
        _publishSlots = new SemaphoreSlim(options.MaxPublishesInFlight, options.MaxPublishesInFlight);
        _logger = services.LoggerFactory.CreateLogger<ChatSession>();
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
    /// Accepts a message and starts publishing it, without waiting for the broker's confirm: the receive loop goes on
    /// reading the next frame while up to <see cref="GatewayOptions.MaxPublishesInFlight"/> publishes of this
    /// connection wait for their confirms. Each is answered through <see cref="OnPublished"/> as its confirm (or its
    /// timeout) comes, so answers may come in another order than the frames. Validation and the rate limit are the
    /// caller's, done before this in the receive loop.
    /// </summary>
    /// <remarks>
    /// With every slot taken this waits for one, and so does the receive loop: the client's frames stay in the
    /// socket (TCP back-pressure) and a connection holds a bounded number of messages. The id is assigned after
    /// the slot is taken, still in the receive loop, so ids are monotonic in the order the frames arrived; except for a
    /// retry (<c>again</c>: a message answered <c>unavailable</c> before), published again under its first id and
    /// accept time.
    /// </remarks>
    protected async ValueTask StartPublishAsync(string room, string text, string? reference, CancellationToken cancellationToken, ChatMessage? again = null)
    {
        await _publishSlots.WaitAsync(cancellationToken);
        var message = again ?? Services.Publisher.Accept(room, Connection.User, text);

        // Counted before the receive loop ends this frame, so a close (1001 on shutdown, or any other) keeps the
        // outbox open until this publish is answered: nothing acknowledged is left unsaid.
        Connection.BeginInFlight();
        _ = PublishAndAnswerAsync(message, reference);
    }

    /// <summary>Runs in the background; never throws (nobody awaits it), and always answers and frees its slot.</summary>
    async Task PublishAndAnswerAsync(ChatMessage message, string? reference)
    {
        try
        {
            // The span is started here, before the first await, so it is current for MassTransit's publish and is
            // not left current in the receive loop (an async method's changes to Activity.Current stay inside it).
            using var activity = StartSendActivity(message.Room);
            bool confirmed;
            try
            {
                confirmed = await Services.Publisher.PublishAsync(message);
            }
            catch (Exception ex)
            {
                // The publisher turns the broker's failures into false; anything else is a bug, but the client
                // still gets its one answer.
                Log.PublishFaulted(_logger, ex, message.Id);
                confirmed = false;
            }

            OnPublished(message, confirmed, reference);
        }
        finally
        {
            _publishSlots.Release();
            Connection.EndInFlight();
        }
    }

    /// <summary>
    /// Answers one <c>send</c> once its publish was confirmed (<paramref name="confirmed"/>) or not. Called outside
    /// the receive loop, concurrently with it: it may only queue frames on the connection and count.
    /// </summary>
    protected abstract void OnPublished(ChatMessage message, bool confirmed, string? reference);

    /// <summary>
    /// Starts the span of one sent message (<see cref="GatewayTelemetry.SendActivityName"/>, kind server: it serves
    /// the client's frame). It is the root of the message's trace, not a child of the upgrade request's activity: that
    /// one lasts as long as the connection, and every message would otherwise pile into one endless trace. A link
    /// keeps the way from the message to its connection's request. MassTransit's publish span becomes its child; the
    /// publisher adds the message id, or the error when the broker did not confirm.
    /// </summary>
    Activity? StartSendActivity(string room)
    {
        var connectionActivity = Activity.Current;
        Activity.Current = null; // the async caller's copy only: the receive loop keeps the request's activity
        return GatewayTelemetry.Source.StartActivity(ActivityKind.Server, parentContext: default,
            tags:
            [
                new(GatewayTelemetry.RoomAttribute, room),
                new(GatewayTelemetry.ConnectionIdAttribute, Connection.Id),
                new(GatewayTelemetry.ProtocolAttribute, Connection.Kind == ConnectionKind.Json ? "json" : "text"),
            ],
            links: connectionActivity is null ? null : [new ActivityLink(connectionActivity.Context)],
            name: GatewayTelemetry.SendActivityName);
    }

    protected void Reject(string code) => Services.Telemetry.Rejected(code);

    /// <summary>Called after every publish in flight was answered (<see cref="ChatConnection.RunAsync"/> waits for them).</summary>
    public void Dispose()
    {
        _rateLimiter.Dispose();
        _publishSlots.Dispose();
        GC.SuppressFinalize(this);
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Publishing message {MessageId} failed unexpectedly; answered as unavailable")]
        public static partial void PublishFaulted(ILogger logger, Exception exception, Guid messageId);
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

using Chat.Gateway.Diagnostics;
using Chat.Gateway.Messaging;
using Chat.Gateway.Presence;
using Chat.Gateway.Rooms;

namespace Chat.Gateway.Connections;

/// <summary>What both protocols share: the connection's rooms, its rate limit, and accepting and publishing a message.</summary>
public abstract partial class ChatSession : IChatSession, IDisposable
{
    readonly SendRateLimiter _rateLimiter;
    readonly SemaphoreSlim _publishSlots; // GatewayOptions.MaxPublishesInFlight
    readonly InFlightWork _inFlight = new();
    readonly ILogger _logger;
    Task _lastEntered = Task.CompletedTask; // the previous publish has its channel (or failed before)

    protected ChatSession(ChatConnection connection, ChatSessionServices services)
    {
        Connection = connection;
        Services = services;
        Rooms = new RoomMemberships(connection);
        var options = services.Options.Value;
        _rateLimiter = new SendRateLimiter(options.MessagesPerSecond, options.MessageBurst);
        _publishSlots = new SemaphoreSlim(options.MaxPublishesInFlight, options.MaxPublishesInFlight);
        _logger = services.LoggerFactory.CreateLogger<ChatSession>();
    }

    protected ChatConnection Connection { get; }

    protected ChatSessionServices Services { get; }

    /// <summary>The rooms this connection is in.</summary>
    protected RoomMemberships Rooms { get; }

    public abstract ValueTask OnOpenedAsync(CancellationToken cancellationToken);

    public async ValueTask OnTextFrameAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        if (!_inFlight.TryBeginFrame())
        {
            return; // closing: frames that arrive now are not handled
        }

        try
        {
            await HandleTextFrameAsync(utf8, cancellationToken);
        }
        finally
        {
            _inFlight.End();
        }
    }

    public abstract ValueTask OnBinaryFrameAsync(CancellationToken cancellationToken);

    /// <summary>One text frame, counted in flight until it returns.</summary>
    protected abstract ValueTask HandleTextFrameAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken);

    public Task DrainAsync() => _inFlight.DrainAsync();

    public void OnClosed() => Services.Rooms.LeaveAll(Rooms);

    /// <summary>Takes one token of the connection's send rate; <see langword="false"/> when the rate is exceeded.</summary>
    protected bool TryAcquireSendPermit() => _rateLimiter.TryAcquire();

    /// <summary>
    /// Accepts a message (or <paramref name="again"/>, a retry under its first id) and starts its publish; the receive loop
    /// reads on while up to <see cref="GatewayOptions.MaxPublishesInFlight"/> wait. A publish starts once the one before
    /// has its channel, which the broker reads in order: one sender's messages reach everyone in the order sent.
    /// </summary>
    protected async ValueTask StartPublishAsync(string room, string text, string? reference, CancellationToken cancellationToken, ChatMessage? again = null)
    {
        await _publishSlots.WaitAsync(cancellationToken);
        await _lastEntered; // at once but while the channel is being (re)opened
        var message = again ?? Services.Publisher.Accept(room, Connection.User, text);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastEntered = entered.Task;
        _inFlight.BeginPublish(); // while this frame is counted, so a close waits for the answer
        _ = PublishAndAnswerAsync(message, reference, entered);
    }

    /// <summary>Runs in the background; never throws (nobody awaits it), and always answers and frees its slot.</summary>
    async Task PublishAndAnswerAsync(ChatMessage message, string? reference, TaskCompletionSource entered)
    {
        try
        {
            bool confirmed;
            try
            {
                confirmed = await Services.Publisher.PublishAsync(message, Connection, entered);
            }
            catch (Exception ex)
            {
                // The publisher turns the broker's failures into false; anything else is a bug, but the client gets its answer.
                Log.PublishFaulted(_logger, ex, message.Id);
                confirmed = false;
            }

            OnPublished(message, confirmed, reference);
        }
        finally
        {
            entered.TrySetResult(); // the publisher does, but a bug there must not hold the next publish
            _publishSlots.Release();
            _inFlight.End();
        }
    }

    /// <summary>Answers one <c>send</c> once its publish was confirmed or not; runs beside the receive loop.</summary>
    protected abstract void OnPublished(ChatMessage message, bool confirmed, string? reference);

    protected void Reject(string code) => Services.Telemetry.Rejected(code);

    /// <summary>Called after the session drained (<see cref="ChatConnection.RunAsync"/> waits for it).</summary>
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
    TypingPublisher Typing,
    GatewayTelemetry Telemetry,
    GatewayNode Node,
    TimeProvider Time,
    Microsoft.Extensions.Options.IOptions<GatewayOptions> Options,
    ILoggerFactory LoggerFactory);

using System.Net.WebSockets;
using System.Security.Cryptography;
using Chat.Gateway.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Chat.Gateway.Connections;

/// <summary>
/// Checks a WebSocket upgrade (identity, origin, capacity), accepts it and runs the connection. Refusals are plain-text
/// one-line reasons: 400 for a bad request, 401 for a missing or bad token, 403 for a foreign origin or a name the rules
/// refuse, 503 at capacity or shutdown.
/// </summary>
public sealed partial class ConnectionAcceptor(
    ConnectionRegistry registry,
    UpgradeIdentity upgradeIdentity,
    ProcessStallWatch stalls,
    ChatSessionServices services,
    GatewayTelemetry telemetry,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    ILogger<ConnectionAcceptor> logger)
{
    readonly GatewayOptions _options = options.Value;
    readonly ConnectionLimits _limits = ConnectionLimits.From(options.Value);

    /// <summary>The longest a timer can wait at once (its due time is a 32-bit count of milliseconds).</summary>
    static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(45);
    readonly ILogger _connectionLogger = services.LoggerFactory.CreateLogger<ChatConnection>();

    public async Task<IResult> AcceptAsync(HttpContext context, ConnectionKind kind)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Refuse(StatusCodes.Status400BadRequest, "this endpoint takes WebSocket upgrades only");
        }

        var identity = await upgradeIdentity.ResolveAsync(context);
        if (identity.User is not { } user)
        {
            return Refuse(identity.Status, identity.Refusal!);
        }

        if (!IsOriginAllowed(context.Request))
        {
            Log.OriginRefused(logger, context.Request.Headers.Origin.ToString());
            return Refuse(StatusCodes.Status403Forbidden, "origin not allowed");
        }

        if (!registry.TryReserve())
        {
            return Refuse(StatusCodes.Status503ServiceUnavailable,
                registry.IsStopping ? "the gateway is shutting down; reconnect" : "the gateway is at its connection limit; try again later");
        }

        ChatConnection? connection = null;
        try
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync();
            connection = new ChatConnection(socket, NewConnectionId(), user.User, kind, _limits, stalls, telemetry, time, _connectionLogger,
                context.Features.Get<WriteCoalescingStream>()) { AccessToken = user.AccessToken };
            registry.Add(connection);
            using var expiry = CloseWhenTokenExpires(connection, user.ExpiresAt);
            using ChatSession session = kind == ConnectionKind.Json
                ? new JsonChatSession(connection, services)
                : new PlainTextChatSession(connection, services);
            await connection.RunAsync(session, context.RequestAborted);
        }
        finally
        {
            if (connection is null)
            {
                registry.Release();
            }
            else
            {
                registry.Remove(connection);
                connection.Dispose();
            }
        }

        return TypedResults.Empty;
    }

    /// <summary>In token mode the connection lasts as long as its token: then it is closed with 1008 (PROTOCOL.md).</summary>
    ITimer? CloseWhenTokenExpires(ChatConnection connection, DateTimeOffset? expiresAt)
    {
        if (expiresAt is not { } at)
        {
            return null;
        }

        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            if (time.GetUtcNow() >= at)
            {
                connection.Close(WebSocketCloseStatus.PolicyViolation, "the access token expired; reconnect with a new one");
            }
            else
            {
                timer?.Change(UntilExpiry(at), Timeout.InfiniteTimeSpan); // a timer waits at most ~49 days at a time
            }
        }, null, UntilExpiry(at), Timeout.InfiniteTimeSpan);
        return timer;
    }

    TimeSpan UntilExpiry(DateTimeOffset at) =>
        TimeSpan.FromTicks(Math.Clamp((at - time.GetUtcNow()).Ticks, 0, MaxTimerDue.Ticks));

    /// <summary>No Origin (tools, servers): allowed. Otherwise the gateway's own origin, or one in <see cref="GatewayOptions.AllowedOrigins"/>.</summary>
    internal bool IsOriginAllowed(HttpRequest request)
    {
        var origin = request.Headers[HeaderNames.Origin];
        if (StringValues.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (origin.Count > 1 || !Uri.TryCreate(origin[0], UriKind.Absolute, out var uri))
        {
            return false;
        }

        if (string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || string.Equals($"{uri.Host}:{uri.Port}", request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var normalized = uri.GetLeftPart(UriPartial.Authority);
        return _options.AllowedOrigins.Any(allowed => allowed == "*"
            || string.Equals(allowed.TrimEnd('/'), normalized, StringComparison.OrdinalIgnoreCase));
    }

    static IResult Refuse(int statusCode, string reason) => TypedResults.Text(reason + "\n", "text/plain; charset=utf-8", statusCode: statusCode);

    static string NewConnectionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "WebSocket upgrade refused for origin {Origin}")]
        public static partial void OriginRefused(ILogger logger, string origin);
    }
}

using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Text;
using Chat.Gateway.Connections;
using Chat.Gateway.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Tests.Unit;

/// <summary>Connections over a socket that is never run, to look at what they would send.</summary>
static class TestConnections
{
    static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static readonly GatewayTelemetry Telemetry = new(Meters);

    public static ChatConnection Create(string user = "alice", ConnectionKind kind = ConnectionKind.Json, int capacity = 64) =>
        new(WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true }),
            Guid.NewGuid().ToString("N"), user, kind, new ConnectionLimits(capacity, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
            new ProcessStallWatch(TimeProvider.System), Telemetry, TimeProvider.System, NullLogger.Instance);

    /// <summary>The frames queued so far, as text.</summary>
    public static List<string> Drain(ChatConnection connection)
    {
        var frames = new List<string>();
        while (connection.TryTakeQueued(out var frame))
        {
            frames.Add(Encoding.UTF8.GetString(frame.Utf8.Span));
        }

        return frames;
    }

    public static OutboundFrame Frame(string text) => new(Encoding.UTF8.GetBytes(text));

    public static ChatMessage Message(string room, string text, Guid? id = null) =>
        new(id ?? new MessageIdGenerator().NewId(), room, "bob", text, DateTimeOffset.UtcNow);
}

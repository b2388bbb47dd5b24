using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway;

/// <summary>The gateway's settings, section <c>Gateway</c>. Every limit of PROTOCOL.md that is not a wire rule lives here.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Frames a connection may have waiting to be written before it is closed with 1013.</summary>
    [Range(16, 1_000_000)]
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Publishes of one connection waiting for the broker's confirm at once. The receive loop reads the next frame
    /// while earlier <c>send</c>s wait for their confirms; with this many in flight it waits for one to be answered,
    /// which bounds a connection's memory and pushes back on the client through TCP. 1 answers every <c>send</c>
    /// before reading the next frame: answers, and the live messages of one sender, in order. That is the default,
    /// since a chat user expects their quick succession of messages to arrive as typed; more doubles the accepted
    /// rate under load (Chat.Bench runs with 32).
    /// </summary>
    [Range(1, 1024)]
    public int MaxPublishesInFlight { get; set; } = 1;

    /// <summary>How long a <c>send</c> waits for the broker's confirm before it is answered <c>unavailable</c>.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long <c>join</c> waits for the history service before it answers from the recent buffer alone.</summary>
    public TimeSpan HistoryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a closing handshake may take before the socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>With <c>since</c>, history starts this long before that message, since gateways' clocks differ a little.</summary>
    public TimeSpan SinceWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Recent messages kept per room (of every room: each gateway consumes every message).</summary>
    [Range(50, 100_000)]
    public int RecentMessagesPerRoom { get; set; } = 256;

    /// <summary>How long a room's recent messages are kept after its last message.</summary>
    public TimeSpan RecentMessagesRetention { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sustained rate of <c>send</c> frames per connection.</summary>
    [Range(1, 1_000_000)]
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>Burst of <c>send</c> frames per connection.</summary>
    [Range(1, 1_000_000)]
    public int MessageBurst { get; set; } = 40;

    /// <summary>Open WebSockets this instance accepts; past that the upgrade is answered 503.</summary>
    [Range(1, 10_000_000)]
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>) allowed to open a WebSocket besides the gateway's own. A request
    /// without an <c>Origin</c> header (tools, other servers) is always allowed; <c>*</c> allows every origin.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

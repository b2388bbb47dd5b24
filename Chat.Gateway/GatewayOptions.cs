using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway;

/// <summary>The gateway's settings, section <c>Gateway</c>. Every limit of PROTOCOL.md that is not a wire rule lives here.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>
    /// The most frames a connection may have waiting to be written (a memory bound); past it the connection is closed
    /// with 1013. A server that falls behind for a moment (GC, a burst from the broker) queues into this headroom.
    /// </summary>
    [Range(16, 1_000_000)]
    public int SendQueueCapacity { get; set; } = 16_384;

    /// <summary>A client whose socket has not taken a write for this long, while frames wait, does not read: closed with 1013.</summary>
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Publishes of one connection waiting for the broker's confirm at once: the receive loop reads on meanwhile, and at
    /// this many it waits, which bounds a connection's memory and pushes back on the client through TCP. Answers come as
    /// confirms do; one sender's messages still reach everyone in the order sent.
    /// </summary>
    [Range(1, 1024)]
    public int MaxPublishesInFlight { get; set; } = 16;

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

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Chat.Gateway.Rooms;

namespace Chat.Gateway.Diagnostics;

/// <summary>
/// The gateway's activity source and instruments (both named <c>Chat.Gateway</c>). Every instrument is per replica:
/// the exporter's resource carries the replica's <c>service.instance.id</c>. docs/dashboard.md lists what each answers.
/// </summary>
public sealed class GatewayTelemetry : IDisposable
{
    public const string Name = "Chat.Gateway";

    /// <summary>The span of one accepted <c>send</c>: the root of the message's trace.</summary>
    public const string SendActivityName = "chat send";

    /// <summary>The span of handing one consumed message to the recent buffer and the local members of its room.</summary>
    public const string DeliverActivityName = "chat deliver";

    // Attribute names: OpenTelemetry's where one fits (messaging.*, error.type), chat.* for the rest.
    public const string MessageIdAttribute = "messaging.message.id";
    public const string RoomAttribute = "chat.room";
    public const string ConnectionIdAttribute = "chat.connection.id";
    public const string ProtocolAttribute = "chat.protocol";
    public const string RecipientsAttribute = "chat.recipients";
    public const string ErrorTypeAttribute = "error.type";

    public static readonly ActivitySource Source = new(Name);

    static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    readonly Meter _meter;

    /// <param name="meterFactory">Where the meter comes from (so tests can listen to it).</param>
    /// <param name="rooms">The rooms to observe for <c>chat.gateway.rooms</c>; none in unit tests that need no gauge.</param>
    public GatewayTelemetry(IMeterFactory meterFactory, RoomRegistry? rooms = null)
    {
        _meter = meterFactory.Create(Name);
        Connections = _meter.CreateUpDownCounter<long>("chat.gateway.connections", "{connection}", "Open WebSocket connections on this replica.");
        RoomMemberships = _meter.CreateUpDownCounter<long>("chat.gateway.room_memberships", "{membership}", "Rooms joined, summed over this replica's connections.");
        if (rooms is not null)
        {
            _meter.CreateObservableGauge("chat.gateway.rooms", () => rooms.Count, "{room}", "Rooms with at least one member connected to this replica.");
        }

        MessagesAccepted = _meter.CreateCounter<long>("chat.gateway.messages.accepted", "{message}", "Messages confirmed by the broker and acknowledged to the sender.");
        MessagesDelivered = _meter.CreateCounter<long>("chat.gateway.messages.delivered", "{message}", "Message frames written to sockets.");
        MessagesRejected = _meter.CreateCounter<long>("chat.gateway.messages.rejected", "{frame}", "Client frames answered with an error, by error code (error.type).");
        ConnectionsClosedSlow = _meter.CreateCounter<long>("chat.gateway.connections.closed_slow", "{connection}", "Connections closed with 1013 because they fell behind.");
        PublishDuration = _meter.CreateHistogram("chat.gateway.publish.duration", "s", "Time from publish to the broker's confirm (error.type set when it failed).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        DeliveryLatency = _meter.CreateHistogram("chat.gateway.delivery.latency", "s", "Time from the accepting gateway's accept to the socket write on this gateway (the start of the burst of frames it goes out with).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public UpDownCounter<long> Connections { get; }
    public UpDownCounter<long> RoomMemberships { get; }
    public Counter<long> MessagesAccepted { get; }
    public Counter<long> MessagesDelivered { get; }
    public Counter<long> MessagesRejected { get; }
    public Counter<long> ConnectionsClosedSlow { get; }
    public Histogram<double> PublishDuration { get; }
    public Histogram<double> DeliveryLatency { get; }

    /// <summary>Counts a frame answered with <c>error</c>; the PROTOCOL.md code is the <c>error.type</c>.</summary>
    public void Rejected(string code) => MessagesRejected.Add(1, new KeyValuePair<string, object?>(ErrorTypeAttribute, code));

    public void Dispose() => _meter.Dispose();
}

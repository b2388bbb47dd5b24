using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chat.Gateway.Diagnostics;

/// <summary>The gateway's activity source and instruments (both named <c>Chat.Gateway</c>).</summary>
public sealed class GatewayTelemetry : IDisposable
{
    public const string Name = "Chat.Gateway";

    public static readonly ActivitySource Source = new(Name);

    readonly Meter _meter;

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Connections = _meter.CreateUpDownCounter<long>("chat.gateway.connections", "{connection}", "Open WebSocket connections.");
        RoomMemberships = _meter.CreateUpDownCounter<long>("chat.gateway.room_memberships", "{membership}", "Rooms joined, summed over connections.");
        MessagesAccepted = _meter.CreateCounter<long>("chat.gateway.messages.accepted", "{message}", "Messages confirmed by the broker and acknowledged to the sender.");
        MessagesDelivered = _meter.CreateCounter<long>("chat.gateway.messages.delivered", "{message}", "Message frames written to sockets.");
        MessagesRejected = _meter.CreateCounter<long>("chat.gateway.messages.rejected", "{frame}", "Client frames answered with an error, by error code.");
        ConnectionsClosedSlow = _meter.CreateCounter<long>("chat.gateway.connections.closed_slow", "{connection}", "Connections closed with 1013 because they fell behind.");
        PublishDuration = _meter.CreateHistogram("chat.gateway.publish.duration", "s", "Time from publish to the broker's confirm.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        DeliveryLatency = _meter.CreateHistogram("chat.gateway.delivery.latency", "s", "Time from the accepting gateway's accept to the socket write on this gateway.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    }

    public UpDownCounter<long> Connections { get; }
    public UpDownCounter<long> RoomMemberships { get; }
    public Counter<long> MessagesAccepted { get; }
    public Counter<long> MessagesDelivered { get; }
    public Counter<long> MessagesRejected { get; }
    public Counter<long> ConnectionsClosedSlow { get; }
    public Histogram<double> PublishDuration { get; }
    public Histogram<double> DeliveryLatency { get; }

    public void Rejected(string code) => MessagesRejected.Add(1, new KeyValuePair<string, object?>("error.code", code));

    public void Dispose() => _meter.Dispose();
}

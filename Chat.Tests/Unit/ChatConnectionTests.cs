using System.Net.WebSockets;
using Chat.Gateway.Connections;

namespace Chat.Tests.Unit;

public sealed class ChatConnectionTests
{
    static OutboundFrame Frame(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void A_close_waits_for_every_publish_in_flight_before_completing_the_outbox()
    {
        using var connection = TestConnections.Create();
        connection.BeginInFlight();
        connection.BeginInFlight();

        connection.Close(WebSocketCloseStatus.EndpointUnavailable, "shutting down");

        // Both publishes still answer after the close started: their frames are queued before the close frame.
        Assert.True(connection.TrySend(Frame("ack 1")));
        connection.EndInFlight();
        Assert.True(connection.TrySend(Frame("ack 2")));
        connection.EndInFlight();

        // The last one completed the outbox: nothing is queued after it.
        Assert.False(connection.TrySend(Frame("too late")));
        Assert.Equal(["ack 1", "ack 2"], TestConnections.Drain(connection));
    }

    [Fact]
    public void A_close_with_nothing_in_flight_completes_the_outbox_at_once()
    {
        using var connection = TestConnections.Create();
        Assert.True(connection.TrySend(Frame("queued")));

        connection.Close(WebSocketCloseStatus.EndpointUnavailable, "shutting down");

        Assert.False(connection.TrySend(Frame("too late")));
        Assert.Equal(["queued"], TestConnections.Drain(connection));
    }
}

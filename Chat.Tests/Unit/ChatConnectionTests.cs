using System.Net.WebSockets;
using Chat.Gateway.Connections;
using static Chat.Tests.Unit.TestConnections;

namespace Chat.Tests.Unit;

public sealed class ChatConnectionTests
{
    [Fact]
    public void A_close_with_nothing_in_flight_completes_the_outbox_at_once()
    {
        using var connection = Create();
        Assert.True(connection.TrySend(Frame("queued")));

        connection.Close(WebSocketCloseStatus.EndpointUnavailable, "shutting down");

        Assert.False(connection.TrySend(Frame("too late")));
        Assert.Equal(["queued"], Drain(connection));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, connection.CloseStatus);
    }

    [Fact]
    public void A_client_a_whole_outbox_behind_is_closed_with_1013_and_what_was_queued_is_dropped()
    {
        using var connection = Create(capacity: 16);
        for (var i = 0; i < 16; i++)
        {
            Assert.True(connection.TrySend(Frame($"m{i}")));
        }

        Assert.False(connection.TrySend(Frame("one too many")));

        Assert.Equal(ChatConnection.TryAgainLater, connection.CloseStatus);
        Assert.False(connection.TrySend(Frame("after the close")));
    }
}

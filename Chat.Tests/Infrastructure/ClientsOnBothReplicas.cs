namespace Chat.Tests.Infrastructure;

/// <summary>Two clients in one room, one on each gateway replica: what a test watches the fanout between instances with.</summary>
sealed record ClientsOnBothReplicas(ChatClient First, ChatClient Second) : IAsyncDisposable
{
    /// <summary>Connects <paramref name="first"/> to the first replica and <paramref name="second"/> to the second; both join <paramref name="room"/>.</summary>
    public static async Task<ClientsOnBothReplicas> ConnectAsync(ChatAppFixture app, string room, string first, string second)
    {
        var replicas = await app.GetGatewayReplicasAsync();
        var a = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[0], user: first));
        ChatClient? b = null;
        try
        {
            b = await ChatClient.ConnectAsync(ChatAppFixture.ReplicaSocket(replicas[1], user: second));
            await a.JoinAsync(room);
            await b.JoinAsync(room);
            return new(a, b);
        }
        catch
        {
            await a.DisposeAsync();
            if (b is not null)
            {
                await b.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }
}

namespace Chat.Bench.Workload;

/// <summary>
/// One connection of the workload to a target, whatever its protocol: our JSON <c>/ws</c>, the raw WebSocket
/// broadcast server, or a SignalR hub. What it receives it reports to its <see cref="IBenchClientHandler"/>.
/// </summary>
public interface IBenchClient : IAsyncDisposable
{
    /// <summary>The server instance this connection landed on (the gateway's <c>welcome.node</c>, the SignalR instance …).</summary>
    string Node { get; }

    /// <summary>Joins a room and returns once the server confirmed it.</summary>
    Task JoinAsync(string room, CancellationToken cancellationToken);

    /// <summary>Sends one message to a joined room; returns once it is written, not when it is accepted.</summary>
    ValueTask SendAsync(string room, BenchPayload payload, CancellationToken cancellationToken);

    /// <summary>Closes the connection politely (bounded in time).</summary>
    Task CloseAsync(CancellationToken cancellationToken);
}

/// <summary>Where a client reports what the server told it. Called from the client's receive loop (and, for acknowledgements, from any thread).</summary>
public interface IBenchClientHandler
{
    /// <summary>The server accepted one of this client's messages (our <c>ack</c>, the raw server's <c>+</c>, SignalR's completion).</summary>
    void OnAccepted();

    /// <summary>The server refused one of this client's messages (our <c>error</c> with a <c>ref</c>, a failed invocation).</summary>
    void OnRejected(string code);

    /// <summary>A message of a room this client joined arrived; <paramref name="payload"/> is <see langword="null"/> when its text is not a bench payload.</summary>
    void OnMessage(BenchPayload? payload);

    /// <summary>The server closed the connection, or it broke, before the bench closed it.</summary>
    void OnClosed(string reason);
}

/// <summary>A system under test that clients connect to.</summary>
public interface IBenchTarget
{
    /// <summary>Short name for tables: <c>Chat</c>, <c>raw socket</c>, <c>SignalR</c>.</summary>
    string Name { get; }

    /// <summary>One line for the report: what runs, and how it is set up.</summary>
    string Description { get; }

    /// <summary>Opens the <paramref name="index"/>-th connection; the target spreads connections over its instances.</summary>
    Task<IBenchClient> ConnectAsync(int index, IBenchClientHandler handler, CancellationToken cancellationToken);

    /// <summary>
    /// How many messages the target stored for the room, waiting up to <paramref name="settle"/> for the count to reach
    /// <paramref name="expected"/>; <see langword="null"/> for targets that store nothing.
    /// </summary>
    Task<long?> CountStoredAsync(string room, long expected, TimeSpan settle, CancellationToken cancellationToken);
}

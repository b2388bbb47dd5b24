using Chat.Bench.Workload;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Bench.Baselines;

/// <summary>
/// The peer a .NET user would pick instead: an ASP.NET Core SignalR hub, two instances, each in a process of its own
/// (<see cref="BaselineProcess"/>) as the gateways are, scaled out with the Redis backplane on a
/// <see cref="RedisServer"/> child process. Framework defaults throughout (JSON hub protocol, one invocation at a time
/// per connection); rooms are SignalR groups.
/// </summary>
public sealed class SignalRPeer : IBenchTarget, IAsyncDisposable
{
    public const int Instances = 2;

    /// <summary>The <c>--serve</c> kind.</summary>
    public const string Kind = "signalr";

    readonly List<BaselineProcess> _servers = [];
    RedisServer? _redis;

    public const string TargetName = "SignalR";

    public string Name => TargetName;

    public string Description => $"SignalR: {Instances} ASP.NET Core SignalR hubs (each its own process, server GC; JSON protocol, WebSockets) scaled out with the Redis backplane (redis-server, no persistence); groups as rooms; nothing stored";

    /// <summary>The hubs' processes and redis-server's, for CPU accounting.</summary>
    public IReadOnlyList<int> Pids => [.. _servers.Select(s => s.Pid), .. _redis is null ? [] : new[] { _redis.Pid }];

    public static async Task<SignalRPeer> StartAsync(string redisPath, ILogger logger, CancellationToken cancellationToken)
    {
        var peer = new SignalRPeer();
        try
        {
            peer._redis = await RedisServer.StartAsync(redisPath, cancellationToken);
            for (var i = 0; i < Instances; i++)
            {
                peer._servers.Add(await BaselineProcess.StartAsync($"Chat.Bench.SignalR{i + 1}", Kind,
                    [BaselineHost.RedisOption, peer._redis.ConnectionString], logger, cancellationToken));
            }

            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>One instance's services: SignalR on the Redis backplane.</summary>
    public static void Configure(WebApplicationBuilder builder, string redis) =>
        builder.Services.AddSignalR().AddStackExchangeRedis(redis,
            options => options.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("chat-bench"));

    /// <summary>One instance's endpoint: the hub at <c>/hub</c>.</summary>
    public static void Map(WebApplication app) => app.MapHub<BenchHub>("/hub");

    public async Task<IBenchClient> ConnectAsync(int index, IBenchClientHandler handler, CancellationToken cancellationToken) =>
        await SignalRBenchClient.ConnectAsync(new Uri(_servers[index % _servers.Count].Address, "/hub"), $"signalr-{index % _servers.Count + 1}", $"bench-{index}", handler, cancellationToken);

    public Task<long?> CountStoredAsync(string room, long expected, TimeSpan settle, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}

/// <summary>The peer's hub: a room is a group; a message goes to the whole group, the sender included.</summary>
public sealed class BenchHub : Hub
{
    public Task Join(string room) => Groups.AddToGroupAsync(Context.ConnectionId, room);

    public Task Send(string room, string user, string text) => Clients.Group(room).SendAsync("message", room, user, text);
}

/// <summary>A SignalR client of <see cref="BenchHub"/> (WebSockets, no negotiation round trip).</summary>
public sealed class SignalRBenchClient : IBenchClient
{
    readonly HubConnection _connection;
    readonly IBenchClientHandler _handler;
    readonly string _user;
    volatile bool _closing;

    SignalRBenchClient(HubConnection connection, IBenchClientHandler handler, string node, string user)
    {
        _connection = connection;
        _handler = handler;
        _user = user;
        Node = node;
    }

    public string Node { get; }

    public static async Task<SignalRBenchClient> ConnectAsync(Uri hub, string node, string user, IBenchClientHandler handler, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
            .Build();
        var client = new SignalRBenchClient(connection, handler, node, user);
        connection.On<string, string, string>("message", (_, _, text) => handler.OnMessage(BenchPayload.TryParse(text, out var payload) ? payload : null));
        connection.Closed += error =>
        {
            if (!client._closing)
            {
                handler.OnClosed(error?.Message ?? "closed by the server");
            }

            return Task.CompletedTask;
        };

        try
        {
            await connection.StartAsync(cancellationToken);
            return client;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task JoinAsync(string room, CancellationToken cancellationToken) => _connection.InvokeAsync("Join", room, cancellationToken);

    /// <summary>Starts the invocation; its completion (the hub method returned) is the acknowledgement.</summary>
    public ValueTask SendAsync(string room, BenchPayload payload, CancellationToken cancellationToken)
    {
        var invocation = _connection.InvokeAsync("Send", room, _user, payload.ToString(), cancellationToken);
        _ = AcknowledgeAsync(invocation);
        return ValueTask.CompletedTask;
    }

    async Task AcknowledgeAsync(Task invocation)
    {
        try
        {
            await invocation;
            _handler.OnAccepted();
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or OperationCanceledException or IOException)
        {
            _handler.OnRejected(ex.GetType().Name);
        }
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        _closing = true;
        await _connection.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        await _connection.DisposeAsync();
    }
}

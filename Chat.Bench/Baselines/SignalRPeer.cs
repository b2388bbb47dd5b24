using Chat.Bench.Workload;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Bench.Baselines;

/// <summary>
/// The peer a .NET user would pick instead: an ASP.NET Core SignalR hub, two instances (Kestrel, in this process),
/// scaled out with the Redis backplane on a <see cref="RedisServer"/> child process. Framework defaults throughout
/// (JSON hub protocol, one invocation at a time per connection); rooms are SignalR groups.
/// </summary>
public sealed class SignalRPeer : IBenchTarget, IAsyncDisposable
{
    public const int Instances = 2;

    readonly List<WebApplication> _apps = [];
    readonly List<Uri> _hubs = [];
    RedisServer? _redis;

    public string Name => "SignalR";

    public string Description => $"SignalR: {Instances} in-process ASP.NET Core SignalR hubs (JSON protocol, WebSockets) scaled out with the Redis backplane (redis-server, no persistence); groups as rooms; nothing stored";

    /// <summary>The redis-server process, for CPU accounting.</summary>
    public int? RedisPid => _redis?.Pid;

    public static async Task<SignalRPeer> StartAsync(string redisPath, ILoggerProvider? logs, CancellationToken cancellationToken)
    {
        var peer = new SignalRPeer();
        try
        {
            peer._redis = await RedisServer.StartAsync(redisPath, cancellationToken);
            for (var i = 0; i < Instances; i++)
            {
                var (app, address) = await LoopbackServer.StartAsync($"Chat.Bench.SignalR{i + 1}",
                    builder => builder.Services.AddSignalR().AddStackExchangeRedis(peer._redis.ConnectionString,
                        redis => redis.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("chat-bench")),
                    app => app.MapHub<BenchHub>("/hub"), logs, cancellationToken);
                peer._apps.Add(app);
                peer._hubs.Add(new Uri(address, "/hub"));
            }

            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    public async Task<IBenchClient> ConnectAsync(int index, IBenchClientHandler handler, CancellationToken cancellationToken) =>
        await SignalRBenchClient.ConnectAsync(_hubs[index % _hubs.Count], $"signalr-{index % _hubs.Count + 1}", $"bench-{index}", handler, cancellationToken);

    public Task<long?> CountStoredAsync(string room, long expected, TimeSpan settle, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
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

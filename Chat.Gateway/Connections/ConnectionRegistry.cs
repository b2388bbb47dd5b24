using System.Collections.Concurrent;
using System.Net.WebSockets;
using Chat.Gateway.Diagnostics;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Connections;

/// <summary>
/// The open connections of this gateway: enforces <see cref="GatewayOptions.MaxConnections"/>, and on shutdown
/// closes every socket with 1001 so clients reconnect to another instance (in-flight publishes finish first).
/// </summary>
public sealed partial class ConnectionRegistry
{
    readonly ConcurrentDictionary<string, ChatConnection> _connections = new(StringComparer.Ordinal);
    readonly GatewayTelemetry _telemetry;
    readonly ILogger<ConnectionRegistry> _logger;
    readonly int _max;
    int _reserved;

    public ConnectionRegistry(IOptions<GatewayOptions> options, GatewayTelemetry telemetry, IHostApplicationLifetime lifetime, ILogger<ConnectionRegistry> logger)
    {
        _max = options.Value.MaxConnections;
        _telemetry = telemetry;
        _logger = logger;
        lifetime.ApplicationStopping.Register(CloseAll);
    }

    public int Count => _connections.Count;

    public bool IsStopping { get; private set; }

    /// <summary>Reserves a place for one more connection; <see langword="false"/> at capacity or while stopping.</summary>
    public bool TryReserve()
    {
        if (IsStopping)
        {
            return false;
        }

        if (Interlocked.Increment(ref _reserved) > _max)
        {
            Interlocked.Decrement(ref _reserved);
            return false;
        }

        return true;
    }

    /// <summary>Gives back a place taken by <see cref="TryReserve"/> whose upgrade did not happen.</summary>
    public void Release() => Interlocked.Decrement(ref _reserved);

    public void Add(ChatConnection connection)
    {
        _connections[connection.Id] = connection;
        _telemetry.Connections.Add(1);
    }

    public void Remove(ChatConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            _telemetry.Connections.Add(-1);
            Release();
        }
    }

    void CloseAll()
    {
        IsStopping = true;
        Log.ClosingAll(_logger, _connections.Count);
        foreach (var connection in _connections.Values)
        {
            connection.Close(WebSocketCloseStatus.EndpointUnavailable, "the gateway is shutting down; reconnect");
        }
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Shutting down: closing {Count} connections with 1001")]
        public static partial void ClosingAll(ILogger logger, int count);
    }
}

namespace Chat.Gateway.Connections;

/// <summary>The per-connection limits of <see cref="GatewayOptions"/> that a <see cref="ChatConnection"/> enforces.</summary>
public sealed record ConnectionLimits(int SendQueueCapacity, TimeSpan SlowClientTimeout, TimeSpan CloseTimeout)
{
    public static ConnectionLimits From(GatewayOptions options) => new(options.SendQueueCapacity, options.SlowClientTimeout, options.CloseTimeout);
}

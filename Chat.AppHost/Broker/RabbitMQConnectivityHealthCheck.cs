using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Chat.AppHost.Broker;

/// <summary>Healthy once an AMQP connection opens, so <c>WaitFor(messaging)</c> means "accepting connections".</summary>
sealed class RabbitMQConnectivityHealthCheck(IResourceWithConnectionString resource) : IHealthCheck, IAsyncDisposable
{
    IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_connection is { IsOpen: true })
        {
            return HealthCheckResult.Healthy();
        }

        try
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
            var factory = new ConnectionFactory
            {
                Uri = new Uri(connectionString!),
                RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
                AutomaticRecoveryEnabled = false,
                ClientProvidedName = "chat-apphost-health",
            };
            var previous = _connection;
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            if (previous is not null)
            {
                await previous.DisposeAsync();
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ does not accept connections yet", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.Gateway.Messaging;

/// <summary>Ready only while this instance's fanout queue has a consumer: otherwise its clients would hear nothing.</summary>
public sealed class FanoutHealthCheck(FanoutQueue queue) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await queue.GetConsumerCountAsync(cancellationToken) switch
        {
            (null, var problem) => HealthCheckResult.Unhealthy($"the broker cannot be asked about {queue.Name}: {problem}"),
            (0, _) => HealthCheckResult.Unhealthy($"the fanout queue {queue.Name} has no consumer: this gateway receives no messages"),
            _ => HealthCheckResult.Healthy(),
        };
}

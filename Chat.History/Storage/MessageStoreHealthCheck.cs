using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chat.History.Storage;

/// <summary>Ready when the store answers a query.</summary>
public sealed class MessageStoreHealthCheck(IMessageStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.GetAsync(ChatRules.DefaultRoom, new MessageQuery(1), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("the message store does not answer", ex);
        }
    }
}

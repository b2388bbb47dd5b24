using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.History;

static class HistoryClientExtensions
{
    /// <summary>
    /// The typed <see cref="HistoryClient"/> with a resilience pipeline sized to <see cref="GatewayOptions.HistoryTimeout"/>
    /// instead of the service defaults' (which retries for up to 30 s): one quick retry, and a circuit that opens while
    /// history is down so joins answer from the gateway's buffer at once.
    /// </summary>
    public static IServiceCollection AddHistoryClient(this IServiceCollection services)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to replace the default handler.
        services.AddHttpClient<HistoryClient>(http => http.BaseAddress = new Uri("http://history"))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
            {
                var timeout = provider.GetRequiredService<IOptions<GatewayOptions>>().Value.HistoryTimeout;
                resilience.TotalRequestTimeout.Timeout = timeout;
                resilience.AttemptTimeout.Timeout = timeout / 2;
                resilience.Retry.MaxRetryAttempts = 1;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(50);
                resilience.CircuitBreaker.SamplingDuration = timeout * 2;
                resilience.CircuitBreaker.MinimumThroughput = 2;
                resilience.CircuitBreaker.FailureRatio = 0.5;
                resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
            });
        return services;
    }
}

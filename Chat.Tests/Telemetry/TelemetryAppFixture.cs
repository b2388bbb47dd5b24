using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Telemetry;

/// <summary>
/// The whole app with every service exporting its traces, metrics and logs over OTLP/HTTP to an
/// <see cref="OtlpReceiver"/> in the test process, quickly (batches every 200 ms, metrics every second), so tests
/// can read what the services really export, as the dashboard would.
/// </summary>
public sealed class TelemetryAppFixture : ChatAppFixture
{
    OtlpReceiver? _otlp;

    internal OtlpReceiver Otlp => _otlp ?? throw new InvalidOperationException("The app is not started.");

    protected override async ValueTask ConfigureAsync(IDistributedApplicationTestingBuilder builder, CancellationToken cancellationToken)
    {
        _otlp = await OtlpReceiver.StartAsync(cancellationToken);
        var endpoint = _otlp.Endpoint.GetLeftPart(UriPartial.Authority);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // Added after the AppHost's own annotations (Aspire's OTLP settings among them), so these values win.
            project.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
            {
                environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
                environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                environment.Remove("OTEL_EXPORTER_OTLP_HEADERS"); // the dashboard's API key, if any
                environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
                environment["OTEL_BLRP_SCHEDULE_DELAY"] = "200";
                environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
                environment["OTEL_TRACES_SAMPLER"] = "always_on";
            }));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_otlp is not null)
        {
            await _otlp.DisposeAsync();
        }
    }
}

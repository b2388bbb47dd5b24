namespace Chat.Tests.Telemetry;

/// <summary>The tests that read the services' exported telemetry; they share one app that exports to the test process.</summary>
[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryAppFixture>
{
    public const string Name = "Telemetry";
}

using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>
/// An app of its own for tests that stop, restart and kill its parts, with limits set so each fault shows quickly:
/// publishes give up after 2 s, a client that takes no write for 2 s does not read, at most 40 connections per gateway,
/// one foreign origin allowed, and a send rate high enough to drive load. The gateways log each message MassTransit
/// sends or receives (its <c>MassTransit.Messages</c> debug lines), so a failed fault test can show when a publish completed.
/// </summary>
public sealed class FaultFixture : ChatAppFixture
{
    public const int MaxConnections = 40;
    public const string AllowedOrigin = "http://allowed.example";

    protected override IEnumerable<string> AppHostArguments =>
    [
        "--Gateway:PublishTimeout=00:00:02",
        "--Gateway:HistoryTimeout=00:00:02",
        "--Gateway:SlowClientTimeout=00:00:02",
        "--Gateway:CloseTimeout=00:00:30",
        "--Gateway:MessagesPerSecond=5000",
        "--Gateway:MessageBurst=5000",
        $"--Gateway:MaxConnections={MaxConnections}",
        $"--Gateway:AllowedOrigins:0={AllowedOrigin}",
    ];

    protected override async ValueTask ConfigureAsync(IDistributedApplicationTestingBuilder builder, CancellationToken cancellationToken)
    {
        await base.ConfigureAsync(builder, cancellationToken);
        foreach (var gateway in builder.Resources.OfType<ProjectResource>().Where(p => p.Name == Gateway))
        {
            gateway.Annotations.Add(new EnvironmentCallbackAnnotation(environment => environment["Logging__LogLevel__MassTransit.Messages"] = "Debug"));
        }
    }

    /// <summary>What the gateways wrote since <paramref name="since"/> (a count of <see cref="ChatAppFixture.Logs"/>' lines), without stack frames.</summary>
    public IEnumerable<string> GatewayLinesSince(int since) =>
        Logs.Since(since, Gateway).Where(l => !IsStackFrame(l.Text)).Select(l => $"[{l.ResourceId}] {l.Text}");

    /// <summary>A line of an exception's stack (after the line's timestamp): the message above it says enough here.</summary>
    static bool IsStackFrame(string line)
    {
        var text = line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..].TrimStart();
        return text.StartsWith("at ", StringComparison.Ordinal) || text.StartsWith("---", StringComparison.Ordinal);
    }
}

/// <summary>Fault tests change the app under each other's feet: they run one at a time, after the other collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "Faults";
}

using Chat.Tests.Infrastructure;

namespace Chat.Tests.Faults;

/// <summary>
/// An app of its own for tests that stop, restart and kill its parts, with limits set so each fault shows quickly:
/// publishes give up after 2 s, a client that takes no write for 2 s does not read, at most 40 connections per gateway,
/// one foreign origin allowed, and a send rate high enough to drive load.
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
}

/// <summary>Fault tests change the app under each other's feet: they run one at a time, after the other collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "Faults";
}

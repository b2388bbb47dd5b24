using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>
/// An app of its own whose broker is a cluster of three local RabbitMQ nodes (<c>Chat:BrokerNodes=3</c>), with a send
/// rate high enough to drive load. At the end it checks that no node of its data directory outlived the app.
/// </summary>
public sealed class BrokerClusterFixture : ChatAppFixture
{
    public const int NodeCount = 3;

    protected override IEnumerable<string> AppHostArguments =>
    [
        $"--Chat:BrokerNodes={NodeCount}",
        "--Gateway:MessagesPerSecond=5000",
        "--Gateway:MessageBurst=5000",
    ];

    /// <summary>The AppHost's resource of node <paramref name="number"/> (1 to 3).</summary>
    public static string NodeResource(int number) => $"{Messaging}-{number}";

    /// <summary>The Erlang node name of a node's resource.</summary>
    public static string NodeName(string resource) => $"{resource}@localhost";

    /// <summary>Every node's Erlang name, in order.</summary>
    public static IReadOnlyList<string> NodeNames => [.. Enumerable.Range(1, NodeCount).Select(n => NodeName(NodeResource(n)))];

    public override async ValueTask DisposeAsync()
    {
        var home = Path.Combine(DataDirectory, "rabbitmq");
        await base.DisposeAsync();

        // DCP stopped the nodes; what still runs on this data directory now was left behind.
        var left = await Eventually.UntilAsync(_ => Task.FromResult(NodesOf(home)), pids => pids.Count == 0, TestTimeouts.Network, "no broker node left");
        Assert.Empty(left);
    }

    /// <summary>The broker processes (beam.smp) whose home is <paramref name="home"/>.</summary>
    static List<int> NodesOf(string home)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && File.ReadAllText(Path.Combine(directory, "comm")).Trim() == "beam.smp"
                    && File.ReadAllText(Path.Combine(directory, "environ")).Split('\0').Contains($"HOME={home}"))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // ended meanwhile
            }
        }

        return found;
    }
}

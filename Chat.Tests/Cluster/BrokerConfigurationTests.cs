using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Cluster;

/// <summary>
/// The AppHost's choices for <c>Chat:BrokerNodes</c> that need no running broker: a refused count, and the model of a
/// container cluster (no container runtime runs where these tests run, so that model is built, never started).
/// </summary>
public sealed class BrokerConfigurationTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_even_number_of_broker_nodes_is_refused_with_one_line()
    {
        var (exitCode, errorLines, output) = await RefusedAppHost.RunAsync("--Chat:BrokerNodes=2", "--Chat:Broker=local");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(errorLines);
        Assert.StartsWith("Chat:BrokerNodes=2: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Distributed application started", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_containers_three_nodes_are_three_rabbitmq_containers_behind_one_resource_that_lists_them_all()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "chat-tests", "containers-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Chat_AppHost>(
                ["--Chat:Broker=container", "--Chat:BrokerNodes=3", $"--Chat:DataDirectory={dataDirectory}"], Ct).WaitAsync(TestTimeouts.Long, Ct);

            var cluster = Assert.IsType<RabbitMQClusterResource>(builder.Resources.Single(r => r.Name == ChatAppFixture.Messaging));
            Assert.Equal(["messaging-1", "messaging-2", "messaging-3"], cluster.Nodes.Select(n => n.Name));
            Assert.All(cluster.Nodes, node =>
            {
                Assert.IsType<RabbitMQServerResource>(node);
                Assert.Contains(node.Annotations, a => a is ContainerFileSystemCallbackAnnotation { DestinationPath: "/etc/rabbitmq/conf.d" });
            });
            Assert.Equal("{messaging-1.connectionString},{messaging-2.connectionString},{messaging-3.connectionString}",
                cluster.ConnectionStringExpression.ValueExpression);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }
}

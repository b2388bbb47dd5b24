using System.Diagnostics;
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
        var dataDirectory = Path.Combine(Path.GetTempPath(), "chat-tests", "refused-" + Guid.NewGuid().ToString("N"));
        // The AppHost's own build (same configuration as the tests'), run as a process: it stops before starting anything.
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)));
        var info = new ProcessStartInfo(Path.Combine(Projects.Chat_AppHost.ProjectPath, "bin", configuration!, "net10.0", "Chat.AppHost"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--Chat:BrokerNodes=2", "--Chat:Broker=local", $"--Chat:DataDirectory={dataDirectory}" })
        {
            info.ArgumentList.Add(argument);
        }

        using var appHost = Process.Start(info)!;
        try
        {
            var output = appHost.StandardOutput.ReadToEndAsync(Ct);
            var errors = appHost.StandardError.ReadToEndAsync(Ct);
            await appHost.WaitForExitAsync(Ct).WaitAsync(TestTimeouts.Long, Ct);

            Assert.Equal(1, appHost.ExitCode);
            var line = Assert.Single((await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("Chat:BrokerNodes=2: ", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Distributed application started", await output, StringComparison.Ordinal);
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true); // it hung: the assertion above has failed already
            }

            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
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

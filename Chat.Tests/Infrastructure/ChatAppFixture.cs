using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// The whole app, started once through the real AppHost (RabbitMQ, history, two gateway replicas) with its own
/// data directory and free ports, shared by the tests of a collection and stopped with a timeout at the end.
/// </summary>
public class ChatAppFixture : IAsyncLifetime
{
    public const string Gateway = "gateway";
    public const string History = "history";
    public const string Messaging = "messaging";

    /// <summary>The broker connection a gateway publishes on: MassTransit names a connection it is given no name for after the process.</summary>
    public const string GatewayPublishingConnection = "Chat.Gateway";

    DistributedApplication? _app;
    ResourceLogs? _logs;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app is not started.");

    internal ResourceLogs Logs => _logs ?? throw new InvalidOperationException("The app is not started.");

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "chat-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Configuration for the AppHost on top of the data directory and free ports, e.g. <c>--Gateway:PublishTimeout=00:00:02</c>.</summary>
    protected virtual IEnumerable<string> AppHostArguments => [];

    /// <summary>
    /// Changes the app model after the AppHost built it and before it starts (e.g. the environment of its projects). By
    /// default the services export no telemetry: with the dashboard off, nothing listens at the address Aspire gives them,
    /// and exporters retrying it would hold each stopping process for seconds.
    /// </summary>
    protected virtual ValueTask ConfigureAsync(IDistributedApplicationTestingBuilder builder, CancellationToken cancellationToken)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(environment => environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The gateway's base address (the DCP proxy in front of both replicas).</summary>
    public Uri GatewayHttp { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.AppStart);
        string[] args =
        [
            $"--Chat:DataDirectory={DataDirectory}",
            "--Chat:Broker=local",
            "--Chat:GatewayPort=0",
            "--Chat:HistoryPort=0",
            .. AppHostArguments,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Chat_AppHost>(args,
            (options, _) => options.DisableDashboard = true, cts.Token);
        // Resource output is kept by ResourceLogs (and saved beside the tests); the console gets warnings only.
        builder.Services.AddLogging(logging => logging
            .AddFilter("Chat.AppHost.Resources", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));
        await ConfigureAsync(builder, cts.Token);
        _app = await builder.BuildAsync(cts.Token);
        _logs = new ResourceLogs(_app);
        await _app.StartAsync(cts.Token);
        await WaitUntilHealthyAsync(cts.Token);
        GatewayHttp = _app.GetEndpoint(Gateway, "http");
    }

    /// <summary>Waits until broker, history and every gateway replica report healthy.</summary>
    public async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        await App.ResourceNotifications.WaitForResourceHealthyAsync(Messaging, cancellationToken);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(History, cancellationToken);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(Gateway, cancellationToken);

        // The gateway resource's health does not wait for every replica to listen: ask each replica itself.
        using var http = new HttpClient();
        foreach (var replica in await GetGatewayReplicaDetailsAsync())
        {
            await Eventually.UntilAsync(async c =>
            {
                try
                {
                    return await http.GetStringAsync(new Uri(replica.Address, "/health"), c);
                }
                catch (HttpRequestException)
                {
                    return "unreachable";
                }
            }, body => body == "Healthy", TestTimeouts.Long, $"{replica.ResourceId} healthy");
        }
    }

    /// <summary>A WebSocket address of the gateway: <c>/ws</c> or <c>/websocket</c>, with the user when given.</summary>
    public Uri GatewaySocket(string path = "/ws", string? user = null)
    {
        var builder = new UriBuilder(GatewayHttp) { Scheme = "ws", Path = path };
        if (user is not null)
        {
            builder.Query = "user=" + Uri.EscapeDataString(user);
        }

        return builder.Uri;
    }

    /// <summary>A client of the history API (a new connection each time: the proxy balances per connection).</summary>
    public HttpClient CreateHistoryClient() => App.CreateHttpClient(History, "http");

    /// <summary>Every stored message of a room, oldest first, read page by page through the REST API.</summary>
    public async Task<List<MessageView>> GetHistoryAsync(string room, CancellationToken cancellationToken)
    {
        using var http = CreateHistoryClient();
        var all = new List<MessageView>();
        var after = MessageIds.Floor(DateTimeOffset.UnixEpoch); // below every id: the oldest page first
        while (true)
        {
            var page = await http.GetFromJsonAsync<MessagePage>($"/rooms/{room}/messages?limit=500&after={after}", JsonDefaults.Options, cancellationToken)
                .WaitAsync(TestTimeouts.Network, cancellationToken);
            all.AddRange(page!.Messages);
            if (page.Messages.Count < 500)
            {
                return all;
            }

            after = page.Messages[^1].Id;
        }
    }

    /// <summary>
    /// The direct address of each gateway replica (its own port, behind the proxy), so a test can put clients on
    /// different replicas for certain.
    /// </summary>
    public async Task<IReadOnlyList<Uri>> GetGatewayReplicasAsync(int expected = 2) =>
        [.. (await GetGatewayReplicaDetailsAsync(expected)).Select(r => r.Address)];

    /// <summary>
    /// Each running gateway replica: its resource id (for commands), direct address (from its <c>ASPNETCORE_URLS</c>)
    /// and the process id of the gateway itself.
    /// </summary>
    public async Task<IReadOnlyList<GatewayReplica>> GetGatewayReplicaDetailsAsync(int expected = 2)
    {
        var found = new Dictionary<string, GatewayReplica>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TestTimeouts.Long);
        await foreach (var e in App.ResourceNotifications.WatchAsync(cts.Token))
        {
            var urls = e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value;
            if (e.Resource.Name == Gateway && e.Snapshot.State?.Text == KnownResourceStates.Running && urls is not null && LauncherProcessId(e.Snapshot) is { } launcher)
            {
                found[e.ResourceId] = new GatewayReplica(e.ResourceId, new Uri(urls.Split(';')[0]), await ProcessTree.FindAsync(launcher, "Chat.Gateway"));
            }
            else if (e.Resource.Name == Gateway)
            {
                found.Remove(e.ResourceId);
            }

            if (found.Count == expected)
            {
                break;
            }
        }

        return [.. found.Values.OrderBy(r => r.ResourceId)];
    }

    /// <summary>
    /// Stops a single-instance project resource with a signal to the service itself (below DCP's launcher): SIGTERM as
    /// an orchestrator would, SIGKILL as a crash; then waits until the resource has stopped.
    /// </summary>
    public async Task TerminateAsync(string resource, string processName, int signal = Signals.Terminate)
    {
        var ct = TestContext.Current.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TestTimeouts.Long);
        Signals.Send(await FindProcessAsync(resource, processName), signal);
        await App.ResourceNotifications.WaitForResourceAsync(resource, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cts.Token);
    }

    /// <summary>
    /// The process named <paramref name="processName"/> at or below the one DCP started for a running resource: a
    /// project's service below its <c>dotnet run</c> launcher, the local broker's <c>beam.smp</c> below its script.
    /// </summary>
    public async Task<int> FindProcessAsync(string resource, string processName)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TestTimeouts.Long);
        var running = await App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && LauncherProcessId(e.Snapshot) is not null, cts.Token);
        return await ProcessTree.FindAsync(LauncherProcessId(running.Snapshot)!.Value, processName);
    }

    /// <summary>The process DCP started for a resource (for projects, their <c>dotnet run</c> launcher), if it runs.</summary>
    static int? LauncherProcessId(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>Runs one of a resource's commands (<c>resource-stop</c>, <c>resource-start</c>, <c>resource-restart</c>).</summary>
    public async Task ExecuteCommandAsync(string resourceId, string command)
    {
        var ct = TestContext.Current.CancellationToken;
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resourceId, command, ct)
            .WaitAsync(TestTimeouts.Long, ct);
        if (!result.Success && command == "resource-stop")
        {
            // DCP stops a project through its dotnet-run launcher and may report a stop as failed that still ends
            // the process a little later: what counts is that the resource does stop.
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TestTimeouts.Long);
            await App.ResourceNotifications.WaitForResourceAsync(resourceId, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cts.Token);
            return;
        }

        Assert.True(result.Success, $"{command} on {resourceId}: {result.Message}");
    }

    /// <summary>A WebSocket address on one replica.</summary>
    public static Uri ReplicaSocket(Uri replica, string path = "/ws", string? user = null) =>
        new UriBuilder(replica) { Scheme = "ws", Path = path, Query = user is null ? "" : "user=" + Uri.EscapeDataString(user) }.Uri;

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            try
            {
                using var cts = new CancellationTokenSource(TestTimeouts.AppStop);
                await _app.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping timed out: disposing below kills what is left.
            }

            if (_logs is not null)
            {
                await _logs.DisposeAsync();
                await _logs.SaveAsync(Path.Combine(AppContext.BaseDirectory, "resource-logs", $"{GetType().Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log"));
            }

            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>One gateway replica: its resource id, direct address and the process id of the gateway itself.</summary>
public sealed record GatewayReplica(string ResourceId, Uri Address, int ProcessId);

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Chat.Bench.Diagnostics;
using Chat.Bench.Telemetry;

namespace Chat.Bench.Targets;

/// <summary>A gateway replica: its own address (not the DCP proxy's), its process, and its build.</summary>
public sealed record GatewayReplica(Uri Address, int? Pid, string Node, string ExecutablePath);

/// <summary>
/// The whole platform, either started here through the AppHost (Aspire.Hosting.Testing, in this process: RabbitMQ,
/// history, two gateway replicas) with a fresh data directory that is deleted at the end, or a running one the bench
/// only connects to. Knows the app's addresses, its broker and, on Linux, its processes.
/// </summary>
public sealed class ChatApp : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    DistributedApplication? _app;
    string? _dataDirectory;
    int? _brokerPort;

    ChatApp()
    {
    }

    /// <summary>The gateways clients connect to directly, one address per replica (or the addresses given).</summary>
    public IReadOnlyList<GatewayReplica> Gateways { get; private set; } = [];

    /// <summary>The AppHost's gateway endpoint: DCP's proxy, which balances over the replicas per TCP connection.</summary>
    public Uri? ProxyAddress { get; private set; }

    public Uri? HistoryAddress { get; private set; }

    public HttpClient? History { get; private set; }

    /// <summary>The AMQP connection string of the app's broker, for the raw broker baseline on the very same broker.</summary>
    public string? BrokerConnectionString { get; private set; }

    /// <summary>The AppHost configuration this bench set (limits it raised and anything given with <c>--set</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    /// <summary><c>Release</c> or <c>Debug</c>, read from where the gateway executables are; <c>unknown</c> when not found.</summary>
    public string BuildConfiguration => Gateways.Select(g => g.ExecutablePath).FirstOrDefault(p => p.Length > 0) switch
    {
        { } path when path.Contains("/Release/", StringComparison.Ordinal) => "Release",
        { } path when path.Contains("/Debug/", StringComparison.Ordinal) => "Debug",
        _ => "unknown",
    };

    /// <summary>Where the started app's services export their telemetry (every message traced, as in development, unless a trace ratio was given).</summary>
    public OtlpSink? Telemetry { get; private set; }

    /// <summary>Whether the bench started the app (and so stops it).</summary>
    public bool Started => _app is not null;

    /// <summary>
    /// Starts the app through the AppHost with a fresh data directory, <paramref name="settings"/> as AppHost configuration
    /// (for example <c>Gateway:MessagesPerSecond</c>), and waits until the broker, history and both gateways are healthy.
    /// </summary>
    public static async Task<ChatApp> StartAsync(IReadOnlyDictionary<string, string> settings, double traceRatio, ILoggerProvider? logs, CancellationToken cancellationToken)
    {
        var chat = new ChatApp
        {
            _dataDirectory = Path.Combine(Path.GetTempPath(), $"chat-bench-{Guid.NewGuid():N}"),
            Settings = settings,
        };

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            var token = timeout.Token;

            string[] args =
            [
                $"--Chat:DataDirectory={chat._dataDirectory}",
                "--Chat:GatewayPort=0",
                "--Chat:HistoryPort=0",
                .. settings.Select(s => $"--{s.Key}={s.Value}"),
            ];
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Chat_AppHost>(args, token);
            chat.Telemetry = await OtlpSink.StartAsync(logs, token);
            var otlp = chat.Telemetry.Endpoint.GetLeftPart(UriPartial.Authority);
            foreach (var project in builder.Resources.OfType<ProjectResource>())
            {
                // After the AppHost's own annotations (Aspire's OTLP settings among them), so these values win. The
                // intervals stay Aspire's (metrics every second); the sampler is the bench's (--trace-ratio). The services
                // run in Production, as deployed, not in the launch profile's Development.
                project.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
                {
                    environment["ASPNETCORE_ENVIRONMENT"] = "Production";
                    environment["DOTNET_ENVIRONMENT"] = "Production";
                    environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
                    environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                    environment.Remove("OTEL_EXPORTER_OTLP_HEADERS");
                    environment["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
                    environment["OTEL_TRACES_SAMPLER_ARG"] = traceRatio.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }));
            }

            builder.Services.AddLogging(logging =>
            {
                logging.ClearProviders();
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }

                logging.SetMinimumLevel(LogLevel.Information);
            });

            chat._app = await builder.BuildAsync(token);
            await chat._app.StartAsync(token);
            foreach (var resource in new[] { "messaging", "history", "gateway" })
            {
                await chat._app.ResourceNotifications.WaitForResourceHealthyAsync(resource, token);
            }

            chat.ProxyAddress = chat._app.GetEndpoint("gateway", "http");
            chat.HistoryAddress = chat._app.GetEndpoint("history", "http");
            chat.History = new HttpClient { BaseAddress = chat.HistoryAddress };
            var broker = AppProcesses.PrimaryNode(await chat._app.GetConnectionStringAsync("messaging", token));
            chat.BrokerConnectionString = broker.OriginalString;
            chat._brokerPort = broker.Port;

            var replicas = settings.TryGetValue("Chat:GatewayReplicas", out var configured) ? int.Parse(configured, System.Globalization.CultureInfo.InvariantCulture) : 2;
            chat.Gateways = await AppProcesses.FindReplicasAsync(chat._brokerPort.Value, replicas, token);
            await chat.WaitForGatewaysAsync(token);
            return chat;
        }
        catch
        {
            await chat.DisposeAsync();
            throw;
        }
    }

    /// <summary>A running app: its gateway address(es), history address and (for the raw broker baseline) broker.</summary>
    public static ChatApp Attach(IReadOnlyList<Uri> gateways, Uri? history, string? broker)
    {
        var locals = LocalProcess.All().Where(p => p.Name == "Chat.Gateway").Select(p => (Process: p, Environment: p.Environment())).ToList();
        var replicas = gateways.Select(address =>
        {
            var match = locals.FirstOrDefault(l => l.Environment.TryGetValue("ASPNETCORE_URLS", out var urls)
                && urls.Split(';').Any(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Port == address.Port));
            return match.Process is null
                ? new GatewayReplica(address, null, address.Authority, "")
                : new GatewayReplica(address, match.Process.Pid, AppProcesses.NodeOf(match.Environment) ?? address.Authority, match.Process.ExecutablePath());
        }).ToList();

        var primary = broker is null ? null : AppProcesses.PrimaryNode(broker);
        return new ChatApp
        {
            Gateways = replicas,
            HistoryAddress = history,
            History = history is null ? null : new HttpClient { BaseAddress = history },
            BrokerConnectionString = primary?.OriginalString,
            _brokerPort = primary?.Port,
        };
    }

    /// <summary>The target: clients go to each replica directly, or through DCP's proxy when <paramref name="viaProxy"/>.</summary>
    public ChatAppTarget CreateTarget(bool viaProxy)
    {
        var addresses = viaProxy && ProxyAddress is not null ? [ProxyAddress] : Gateways.Select(g => g.Address).ToList();
        var how = viaProxy && ProxyAddress is not null
            ? $"through the AppHost's proxy {ProxyAddress.Authority}, which balances over {Gateways.Count} replicas"
            : $"directly to {Gateways.Count} gateway replica(s), connections alternating";
        var broker = Settings.TryGetValue("Chat:BrokerNodes", out var nodes) && nodes != "1" ? $"a RabbitMQ cluster of {nodes} nodes" : "RabbitMQ";
        var store = Settings.TryGetValue("Chat:HistoryStore", out var configured) && configured == "postgres" ? "PostgreSQL" : "SQLite";
        return new ChatAppTarget(addresses, History,
            $"Chat: gateways ({BuildConfiguration} build) + {broker} (MassTransit, confirms, quorum queue for history) + history ({store}); clients {how}");
    }

    /// <summary>The app's processes by role, for CPU accounting (Linux; empty groups elsewhere).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> ProcessGroups() => AppProcesses.Groups(Gateways, _dataDirectory, _brokerPort);

    async Task WaitForGatewaysAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var gateway in Gateways)
        {
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(gateway.Address, "/health"), cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    /// <summary>Stops the app if the bench started it, deletes its data directory, and makes sure none of its processes remain.</summary>
    public async ValueTask DisposeAsync()
    {
        History?.Dispose();
        if (_app is not null)
        {
            try
            {
                // Bounded twice: a stop that ignores its token must not hold the bench forever.
                using var timeout = new CancellationTokenSource(StopTimeout);
                await _app.StopAsync(timeout.Token).WaitAsync(StopTimeout + StopTimeout);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or AggregateException or TimeoutException)
            {
                // Disposing below ends what is left.
            }

            try
            {
                await _app.DisposeAsync().AsTask().WaitAsync(StopTimeout);
            }
            catch (TimeoutException)
            {
                // What is left of the app is killed below.
            }

            _app = null;
        }

        if (Telemetry is not null)
        {
            await Telemetry.DisposeAsync();
            Telemetry = null;
        }

        if (_dataDirectory is not null)
        {
            AppProcesses.KillLeftovers(_dataDirectory, _brokerPort);
            for (var attempt = 0; attempt < 10 && Directory.Exists(_dataDirectory); attempt++)
            {
                try
                {
                    Directory.Delete(_dataDirectory, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500));
                }
            }
        }
    }
}

using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chat.Tests.Telemetry;

/// <summary>
/// A small OTLP/HTTP collector inside the test process: Kestrel on a free loopback port, accepting what the services'
/// OpenTelemetry exporters send to <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c> as
/// <c>application/x-protobuf</c>, decoded and kept in memory. Waits are event-driven: every request wakes them.
/// </summary>
sealed class OtlpReceiver : IAsyncDisposable
{
    const string Protobuf = "application/x-protobuf";

    readonly WebApplication _app;
    readonly Lock _gate = new();
    readonly List<ExportedSpan> _spans = [];
    readonly List<ExportedMetricPoint> _metrics = [];
    readonly List<ExportedLog> _logs = [];
    readonly List<string> _errors = [];
    int _requests;
    TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>How many export requests arrived (decoded or not).</summary>
    public int Requests => _requests;

    /// <summary>The base address to give exporters as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ExportedSpan> Spans => Snapshot(_spans);

    public IReadOnlyList<ExportedMetricPoint> Metrics => Snapshot(_metrics);

    public IReadOnlyList<ExportedLog> Logs => Snapshot(_logs);

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", context => receiver.ReceiveAsync(context, body => receiver.Add(receiver._spans, OtlpMapping.DecodeTraces(body))));
        app.MapPost("/v1/metrics", context => receiver.ReceiveAsync(context, body => receiver.Add(receiver._metrics, OtlpMapping.DecodeMetrics(body))));
        app.MapPost("/v1/logs", context => receiver.ReceiveAsync(context, body => receiver.Add(receiver._logs, OtlpMapping.DecodeLogs(body))));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    async Task ReceiveAsync(HttpContext context, Action<byte[]> decode)
    {
        Interlocked.Increment(ref _requests);
        if (context.Request.ContentType?.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase) != true)
        {
            lock (_gate)
            {
                _errors.Add($"{context.Request.Path}: content type {context.Request.ContentType}");
            }

            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        try
        {
            decode(body.ToArray());
        }
        catch (InvalidProtocolBufferException ex)
        {
            lock (_gate)
            {
                _errors.Add($"{context.Request.Path}: {ex.Message}");
            }

            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // An empty Export*ServiceResponse: everything was accepted.
        context.Response.ContentType = Protobuf;
        context.Response.ContentLength = 0;
    }

    void Add<T>(List<T> into, List<T> items)
    {
        lock (_gate)
        {
            into.AddRange(items);
            var arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.TrySetResult();
        }
    }

    IReadOnlyList<T> Snapshot<T>(List<T> items)
    {
        lock (_gate)
        {
            return [.. items];
        }
    }

    /// <summary>
    /// Evaluates <paramref name="probe"/> now and after every export that arrives, until it returns a value; fails the
    /// test after <paramref name="timeout"/> with <paramref name="describe"/>'s account of what did arrive.
    /// </summary>
    public async Task<T> WaitForAsync<T>(Func<OtlpReceiver, T?> probe, TimeSpan timeout, string what, Func<OtlpReceiver, string>? describe = null)
        where T : class
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                arrived = _arrived.Task;
            }

            if (probe(this) is { } found)
            {
                return found;
            }

            try
            {
                await arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                string[] errors;
                lock (_gate)
                {
                    errors = [.. _errors];
                }

                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what} ({_requests} export requests arrived at {Endpoint})." +
                    (errors.Length > 0 ? $"\nRefused requests ({errors.Length}): {string.Join("; ", errors.Take(5))}" : "") +
                    (describe is null ? "" : "\n" + describe(this)));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }
}

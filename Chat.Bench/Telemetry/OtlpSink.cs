using Chat.Bench.Baselines;

namespace Chat.Bench.Telemetry;

/// <summary>
/// Where the app the bench starts sends its telemetry: an OTLP/HTTP endpoint in the bench process that reads every
/// export and drops it, as a collector would take it off the services' hands. Without it the services would export to
/// the dashboard's address, where nothing listens in a bench run, and spend their time retrying failed exports.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    readonly WebApplication _app;
    long _requests;
    long _bytes;

    OtlpSink(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base address to give the services as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (protocol http/protobuf).</summary>
    public Uri Endpoint { get; }

    /// <summary>Exports received so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Bytes of exports received so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public static async Task<OtlpSink> StartAsync(ILoggerProvider? logs, CancellationToken cancellationToken)
    {
        OtlpSink? sink = null;
        var (app, address) = await LoopbackServer.StartAsync("Chat.Bench.OtlpSink", _ => { }, app =>
        {
            foreach (var signal in new[] { "/v1/traces", "/v1/metrics", "/v1/logs" })
            {
                app.MapPost(signal, context => sink!.ReceiveAsync(context));
            }
        }, logs, cancellationToken);
        sink = new OtlpSink(app, address);
        return sink;
    }

    async Task ReceiveAsync(HttpContext context)
    {
        var buffer = new byte[16 * 1024];
        long length = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            length += read;
        }

        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, length);
        // An empty Export*ServiceResponse: everything accepted.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

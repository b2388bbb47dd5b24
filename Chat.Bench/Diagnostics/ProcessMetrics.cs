using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Chat.Bench.Diagnostics;

/// <summary>
/// Reads a .NET process's own metrics the way <c>dotnet-counters</c> does: an EventPipe session on the runtime's
/// <c>System.Diagnostics.Metrics</c> event source, for the given meters (the gateway's <c>Chat.Gateway</c> and the
/// runtime's <c>System.Runtime</c>). Keeps the latest value of every instrument (summed over its tags) and the
/// latest quantiles of every histogram.
/// </summary>
public sealed class ProcessMetrics : IDisposable
{
    const string MetricsEventSource = "System.Diagnostics.Metrics";
    const long TimeSeriesValuesKeyword = 0x2;

    readonly EventPipeSession _session;
    readonly EventPipeEventSource _source;
    readonly Task _processing;
    readonly string _sessionId = Guid.NewGuid().ToString("N");
    readonly ConcurrentDictionary<string, ConcurrentDictionary<string, double>> _values = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _quantiles = new(StringComparer.Ordinal);
    long _updates;

    ProcessMetrics(int pid, string meters, TimeSpan interval)
    {
        Pid = pid;
        var client = new DiagnosticsClient(pid);
        _session = client.StartEventPipeSession(new EventPipeProvider(MetricsEventSource, EventLevel.Informational, TimeSeriesValuesKeyword,
            new Dictionary<string, string>
            {
                ["SessionId"] = _sessionId,
                ["Metrics"] = meters,
                ["RefreshInterval"] = interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                ["MaxTimeSeries"] = "1000",
                ["MaxHistograms"] = "100",
            }), requestRundown: false);
        _source = new EventPipeEventSource(_session.EventStream);
        _source.Dynamic.All += OnEvent;
        _processing = Task.Run(() =>
        {
            try
            {
                _source.Process();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // the session ended with the process
            }
        });
    }

    public int Pid { get; }

    /// <summary>How many collection intervals were published so far: wait for it to grow to know the values are fresh.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    /// <summary>Starts reading, or returns <see langword="null"/> with the reason when the process cannot be reached.</summary>
    public static ProcessMetrics? TryStart(int pid, string meters, TimeSpan interval, out string? problem)
    {
        problem = null;
        try
        {
            return new ProcessMetrics(pid, meters, interval);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException or UnauthorizedAccessException or ServerErrorException)
        {
            problem = $"metrics of process {pid} unavailable: {ex.Message}";
            return null;
        }
    }

    /// <summary>
    /// Makes the process run a full, blocking garbage collection, as <c>dotnet-gcdump</c> does (an EventPipe session with the
    /// runtime's <c>GCHeapCollect</c> keyword), so that the next <c>dotnet.gc.last_collection.heap.size</c> is the live heap.
    /// </summary>
    public static async Task InduceGcAsync(int pid, CancellationToken cancellationToken)
    {
        const long gcHeapCollectKeyword = 0x800000;
        try
        {
            var client = new DiagnosticsClient(pid);
            using var session = await client.StartEventPipeSessionAsync(
                [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, gcHeapCollectKeyword)], requestRundown: false, token: cancellationToken);
            var draining = session.EventStream.CopyToAsync(Stream.Null, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            await session.StopAsync(cancellationToken);
            await draining.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or TimeoutException or ServerErrorException or UnsupportedCommandException)
        {
            // No forced collection: the heap figure is then as of the process's own last GC.
        }
    }

    /// <summary>The latest value of an instrument, summed over its tag sets; <see langword="null"/> before it was seen.</summary>
    public double? Value(string instrument) =>
        _values.TryGetValue(instrument, out var series) && !series.IsEmpty ? series.Values.Sum() : null;

    /// <summary>The latest published quantiles of a histogram (<c>0.5=…;0.95=…;0.99=…</c>), if any.</summary>
    public string? Quantiles(string instrument) => _quantiles.GetValueOrDefault(instrument);

    /// <summary>Waits until <paramref name="count"/> more collection intervals were published (so the values are that fresh).</summary>
    public async Task WaitForUpdatesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = Updates + count;
        var deadline = TimeProvider.System.GetTimestamp();
        while (Updates < target && TimeProvider.System.GetElapsedTime(deadline) < timeout)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    void OnEvent(TraceEvent data)
    {
        if (data.ProviderName != MetricsEventSource || data.PayloadByName("sessionId") as string != _sessionId)
        {
            return;
        }

        if (data.EventName == "CollectionStop")
        {
            Interlocked.Increment(ref _updates);
            return;
        }

        var instrument = data.PayloadByName("instrumentName") as string;
        if (instrument is null)
        {
            return;
        }

        var tags = data.PayloadByName("tags") as string ?? "";
        switch (data.EventName)
        {
            case "GaugeValuePublished":
                Store(instrument, tags, data.PayloadByName("lastValue") as string);
                break;
            case "CounterRateValuePublished":
            case "UpDownCounterRateValuePublished":
                Store(instrument, tags, data.PayloadByName("value") as string ?? data.PayloadByName("rate") as string);
                break;
            case "HistogramValuePublished":
                if (data.PayloadByName("quantiles") is string quantiles && quantiles.Length > 0)
                {
                    _quantiles[instrument] = quantiles;
                }

                break;
        }
    }

    void Store(string instrument, string tags, string? value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            _values.GetOrAdd(instrument, _ => new ConcurrentDictionary<string, double>(StringComparer.Ordinal))[tags] = number;
        }
    }

    public void Dispose()
    {
        try
        {
            _session.Stop();
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or TimeoutException or ServerErrorException)
        {
            // the process is gone
        }

        _processing.Wait(TimeSpan.FromSeconds(5));
        _source.Dispose();
        _session.Dispose();
    }
}

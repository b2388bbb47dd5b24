using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace Chat.Tests.Telemetry;

/// <summary>
/// Parses the bodies of OTLP/HTTP protobuf requests with the messages generated from the vendored OTLP .proto files
/// (<c>Protos/</c>) and flattens them into the tests' records (<see cref="ExportedSpan"/>, <see cref="ExportedMetricPoint"/>,
/// <see cref="ExportedLog"/>). Malformed bodies throw <see cref="InvalidProtocolBufferException"/>.
/// </summary>
static class OtlpMapping
{
    public static List<ExportedSpan> DecodeTraces(byte[] body) =>
    [
        .. from resourceSpans in ExportTraceServiceRequest.Parser.ParseFrom(body).ResourceSpans
           let resource = Attributes(resourceSpans.Resource)
           from scopeSpans in resourceSpans.ScopeSpans
           let source = new OtlpSource(resource, scopeSpans.Scope?.Name ?? "")
           from span in scopeSpans.Spans
           select new ExportedSpan(
               source,
               Hex(span.TraceId),
               Hex(span.SpanId),
               HexOrNull(span.ParentSpanId),
               span.Name,
               (OtlpSpanKind)span.Kind,
               FromUnixNanoseconds(span.StartTimeUnixNano),
               FromUnixNanoseconds(span.EndTimeUnixNano),
               Attributes(span.Attributes),
               [.. span.Links.Select(link => (Hex(link.TraceId), Hex(link.SpanId)))],
               (int)(span.Status?.Code ?? 0)),
    ];

    /// <summary>Gauges, sums and histograms, one record per data point; other metric types are left out.</summary>
    public static List<ExportedMetricPoint> DecodeMetrics(byte[] body) =>
    [
        .. from resourceMetrics in ExportMetricsServiceRequest.Parser.ParseFrom(body).ResourceMetrics
           let resource = Attributes(resourceMetrics.Resource)
           from scopeMetrics in resourceMetrics.ScopeMetrics
           let source = new OtlpSource(resource, scopeMetrics.Scope?.Name ?? "")
           from metric in scopeMetrics.Metrics
           from point in Points(source, metric)
           select point,
    ];

    public static List<ExportedLog> DecodeLogs(byte[] body) =>
    [
        .. from resourceLogs in ExportLogsServiceRequest.Parser.ParseFrom(body).ResourceLogs
           let resource = Attributes(resourceLogs.Resource)
           from scopeLogs in resourceLogs.ScopeLogs
           let source = new OtlpSource(resource, scopeLogs.Scope?.Name ?? "")
           from log in scopeLogs.LogRecords
           select new ExportedLog(
               source,
               HexOrNull(log.TraceId),
               HexOrNull(log.SpanId),
               (int)log.SeverityNumber,
               Value(log.Body)?.ToString() ?? "",
               Attributes(log.Attributes)),
    ];

    static IEnumerable<ExportedMetricPoint> Points(OtlpSource source, Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => NumberPoint(source, metric, OtlpMetricType.Gauge, p)),
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => NumberPoint(source, metric, OtlpMetricType.Sum, p)),
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => new ExportedMetricPoint(
            source, metric.Name, metric.Unit, OtlpMetricType.Histogram, Attributes(p.Attributes), p.Sum, p.Count, FromUnixNanoseconds(p.TimeUnixNano))),
        _ => [],
    };

    static ExportedMetricPoint NumberPoint(OtlpSource source, Metric metric, OtlpMetricType type, NumberDataPoint point) =>
        new(source, metric.Name, metric.Unit, type, Attributes(point.Attributes),
            point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble, 0, FromUnixNanoseconds(point.TimeUnixNano));

    static Dictionary<string, object?> Attributes(Resource? resource) => resource is null ? [] : Attributes(resource.Attributes);

    /// <summary>Attributes by key (the last one wins); integers are <see langword="long"/>, arrays print their items.</summary>
    static Dictionary<string, object?> Attributes(IEnumerable<KeyValue> attributes)
    {
        var map = new Dictionary<string, object?>();
        foreach (var attribute in attributes)
        {
            map[attribute.Key] = Value(attribute.Value);
        }

        return map;
    }

    static object? Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.ArrayValue => new AttributeList(value.ArrayValue.Values.Select(Value)),
        AnyValue.ValueOneofCase.KvlistValue => Attributes(value.KvlistValue.Values),
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToByteArray(),
        _ => null,
    };

    /// <summary>An id in lower-case hex.</summary>
    static string Hex(ByteString id) => Convert.ToHexStringLower(id.Span);

    /// <summary>An optional id (a root span's parent, a log record's trace): null when empty.</summary>
    static string? HexOrNull(ByteString id) => id.IsEmpty ? null : Hex(id);

    static DateTimeOffset FromUnixNanoseconds(ulong nanoseconds) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanoseconds / 100));

    /// <summary>An array attribute, printed as its items (so a text search sees them).</summary>
    sealed class AttributeList(IEnumerable<object?> items) : List<object?>(items)
    {
        public override string ToString() => "[" + string.Join(", ", this) + "]";
    }
}

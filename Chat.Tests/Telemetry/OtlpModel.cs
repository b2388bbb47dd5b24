namespace Chat.Tests.Telemetry;

/// <summary>The OTLP span kinds (<c>Span.SpanKind</c>), numbered as on the wire.</summary>
enum OtlpSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>Where a span, metric or log record came from: its resource's attributes and its instrumentation scope.</summary>
sealed record OtlpSource(IReadOnlyDictionary<string, object?> Resource, string Scope)
{
    /// <summary><c>service.name</c>: the Aspire resource (<c>gateway</c>, <c>history</c>).</summary>
    public string? ServiceName => Resource.GetValueOrDefault("service.name") as string;

    /// <summary><c>service.instance.id</c>: which replica (the gateway's <c>welcome.node</c>).</summary>
    public string? ServiceInstance => Resource.GetValueOrDefault("service.instance.id") as string;
}

/// <summary>One exported span. Ids are lower-case hex; <see cref="ParentSpanId"/> is null for a root span.</summary>
sealed record ExportedSpan(
    OtlpSource Source,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    OtlpSpanKind Kind,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    int StatusCode)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key)?.ToString();

    public override string ToString() =>
        $"{Source.ServiceName}/{Source.ServiceInstance} [{Source.Scope}] '{Name}' {Kind} trace={TraceId} span={SpanId} parent={ParentSpanId ?? "-"} " +
        $"{{{string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))}}}";
}

enum OtlpMetricType
{
    Gauge,
    Sum,
    Histogram,
}

/// <summary>
/// One data point of an exported metric. For sums and gauges <see cref="Value"/> is the value; for histograms it is
/// the sum of the recorded values and <see cref="Count"/> how many there were. <see cref="Time"/> is when it was collected.
/// </summary>
sealed record ExportedMetricPoint(
    OtlpSource Source,
    string Name,
    string Unit,
    OtlpMetricType Type,
    IReadOnlyDictionary<string, object?> Attributes,
    double Value,
    ulong Count,
    DateTimeOffset Time)
{
    public override string ToString() =>
        $"{Source.ServiceName}/{Source.ServiceInstance} {Name} ({Unit}, {Type}) {{{string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))}}} " +
        $"value={Value} count={Count} at {Time:HH:mm:ss.fff}";
}

/// <summary>One exported log record, with the trace it was written in (null outside any trace).</summary>
sealed record ExportedLog(
    OtlpSource Source,
    string? TraceId,
    string? SpanId,
    int Severity,
    string Body,
    IReadOnlyDictionary<string, object?> Attributes);

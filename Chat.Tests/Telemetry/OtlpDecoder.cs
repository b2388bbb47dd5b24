namespace Chat.Tests.Telemetry;

/// <summary>
/// Decodes the bodies of OTLP/HTTP protobuf requests (<c>ExportTraceServiceRequest</c>, <c>ExportMetricsServiceRequest</c>,
/// <c>ExportLogsServiceRequest</c>) into flat records, reading only the fields the tests look at. Field numbers are
/// those of opentelemetry-proto's <c>trace/v1/trace.proto</c>, <c>metrics/v1/metrics.proto</c>, <c>logs/v1/logs.proto</c>
/// and <c>common/v1/common.proto</c>.
/// </summary>
static class OtlpDecoder
{
    // ExportTraceServiceRequest{1 resource_spans} → ResourceSpans{1 resource, 2 scope_spans} → ScopeSpans{1 scope, 2 spans}
    public static List<ExportedSpan> DecodeTraces(ReadOnlySpan<byte> body)
    {
        var spans = new List<ExportedSpan>();
        ForEachScope(body, (OtlpSource source, ref ProtobufReader reader) =>
        {
            if (reader.FieldNumber == 2)
            {
                spans.Add(DecodeSpan(source, reader.ReadBytes()));
                return true;
            }

            return false;
        });
        return spans;
    }

    // ExportMetricsServiceRequest{1 resource_metrics} → ResourceMetrics{1 resource, 2 scope_metrics} → ScopeMetrics{1 scope, 2 metrics}
    public static List<ExportedMetricPoint> DecodeMetrics(ReadOnlySpan<byte> body)
    {
        var points = new List<ExportedMetricPoint>();
        ForEachScope(body, (OtlpSource source, ref ProtobufReader reader) =>
        {
            if (reader.FieldNumber == 2)
            {
                DecodeMetric(source, reader.ReadBytes(), points);
                return true;
            }

            return false;
        });
        return points;
    }

    // ExportLogsServiceRequest{1 resource_logs} → ResourceLogs{1 resource, 2 scope_logs} → ScopeLogs{1 scope, 2 log_records}
    public static List<ExportedLog> DecodeLogs(ReadOnlySpan<byte> body)
    {
        var logs = new List<ExportedLog>();
        ForEachScope(body, (OtlpSource source, ref ProtobufReader reader) =>
        {
            if (reader.FieldNumber == 2)
            {
                logs.Add(DecodeLog(source, reader.ReadBytes()));
                return true;
            }

            return false;
        });
        return logs;
    }

    delegate bool ScopeFieldHandler(OtlpSource source, ref ProtobufReader reader);

    /// <summary>
    /// The three requests share their outer shape: field 1 of the request holds resource groups; a group has its
    /// resource in field 1 and scope groups in field 2; a scope group has its scope in field 1. The handler reads the
    /// other fields of each scope group (it returns <see langword="false"/> for a field it did not read).
    /// </summary>
    static void ForEachScope(ReadOnlySpan<byte> body, ScopeFieldHandler handle)
    {
        var request = new ProtobufReader(body);
        while (request.Next())
        {
            if (request.FieldNumber != 1)
            {
                request.Skip();
                continue;
            }

            var group = new ProtobufReader(request.ReadBytes());
            var resource = new Dictionary<string, object?>();
            var scopeGroups = new List<byte[]>();
            while (group.Next())
            {
                switch (group.FieldNumber)
                {
                    case 1:
                        ReadResource(group.ReadBytes(), resource);
                        break;
                    case 2:
                        scopeGroups.Add(group.ReadBytes().ToArray()); // the resource may come after its scopes
                        break;
                    default:
                        group.Skip();
                        break;
                }
            }

            foreach (var scopeGroup in scopeGroups)
            {
                // The scope (field 1) normally precedes the items (field 2); read it first to be independent of order.
                var source = new OtlpSource(resource, ReadScopeName(scopeGroup));
                var items = new ProtobufReader(scopeGroup);
                while (items.Next())
                {
                    if (items.FieldNumber == 1 || !handle(source, ref items))
                    {
                        items.Skip();
                    }
                }
            }
        }
    }

    // Resource{1 attributes}
    static void ReadResource(ReadOnlySpan<byte> bytes, Dictionary<string, object?> attributes)
    {
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1)
            {
                ReadKeyValue(reader.ReadBytes(), attributes);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    // ScopeXxx{1 scope: InstrumentationScope{1 name}}
    static string ReadScopeName(ReadOnlySpan<byte> scopeGroup)
    {
        var reader = new ProtobufReader(scopeGroup);
        while (reader.Next())
        {
            if (reader.FieldNumber != 1)
            {
                reader.Skip();
                continue;
            }

            var scope = new ProtobufReader(reader.ReadBytes());
            while (scope.Next())
            {
                if (scope.FieldNumber == 1)
                {
                    return scope.ReadString();
                }

                scope.Skip();
            }
        }

        return "";
    }

    // Span{1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end, 9 attributes, 13 links, 15 status}
    static ExportedSpan DecodeSpan(OtlpSource source, ReadOnlySpan<byte> bytes)
    {
        string traceId = "", spanId = "", name = "";
        string? parent = null;
        var kind = OtlpSpanKind.Unspecified;
        ulong start = 0, end = 0;
        var status = 0;
        var attributes = new Dictionary<string, object?>();
        var links = new List<(string, string)>();
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 1:
                    traceId = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case 2:
                    spanId = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case 4:
                    var parentBytes = reader.ReadBytes();
                    parent = parentBytes.IsEmpty ? null : Convert.ToHexStringLower(parentBytes);
                    break;
                case 5:
                    name = reader.ReadString();
                    break;
                case 6:
                    kind = (OtlpSpanKind)reader.ReadVarint();
                    break;
                case 7:
                    start = reader.ReadFixed64();
                    break;
                case 8:
                    end = reader.ReadFixed64();
                    break;
                case 9:
                    ReadKeyValue(reader.ReadBytes(), attributes);
                    break;
                case 13:
                    links.Add(ReadLink(reader.ReadBytes()));
                    break;
                case 15:
                    status = ReadStatusCode(reader.ReadBytes());
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new ExportedSpan(source, traceId, spanId, parent, name, kind, FromUnixNanoseconds(start), FromUnixNanoseconds(end), attributes, links, status);
    }

    // Span.Link{1 trace_id, 2 span_id}
    static (string TraceId, string SpanId) ReadLink(ReadOnlySpan<byte> bytes)
    {
        string traceId = "", spanId = "";
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 1:
                    traceId = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case 2:
                    spanId = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return (traceId, spanId);
    }

    // Status{2 message, 3 code}
    static int ReadStatusCode(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            if (reader.FieldNumber == 3)
            {
                return (int)reader.ReadVarint();
            }

            reader.Skip();
        }

        return 0;
    }

    // Metric{1 name, 3 unit, 5 gauge, 7 sum, 9 histogram}; Gauge/Sum/Histogram{1 data_points}
    static void DecodeMetric(OtlpSource source, ReadOnlySpan<byte> bytes, List<ExportedMetricPoint> points)
    {
        string name = "", unit = "";
        var data = new List<(OtlpMetricType Type, byte[] Point)>();
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 1:
                    name = reader.ReadString();
                    break;
                case 3:
                    unit = reader.ReadString();
                    break;
                case 5 or 7 or 9:
                    var type = reader.FieldNumber switch { 5 => OtlpMetricType.Gauge, 7 => OtlpMetricType.Sum, _ => OtlpMetricType.Histogram };
                    var aggregation = new ProtobufReader(reader.ReadBytes());
                    while (aggregation.Next())
                    {
                        if (aggregation.FieldNumber == 1)
                        {
                            data.Add((type, aggregation.ReadBytes().ToArray()));
                        }
                        else
                        {
                            aggregation.Skip();
                        }
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        foreach (var (type, point) in data)
        {
            points.Add(type == OtlpMetricType.Histogram ? DecodeHistogramPoint(source, name, unit, point) : DecodeNumberPoint(source, name, unit, type, point));
        }
    }

    // NumberDataPoint{3 time_unix_nano, 4 as_double, 6 as_int (sfixed64), 7 attributes}
    static ExportedMetricPoint DecodeNumberPoint(OtlpSource source, string name, string unit, OtlpMetricType type, ReadOnlySpan<byte> bytes)
    {
        var attributes = new Dictionary<string, object?>();
        double value = 0;
        ulong time = 0;
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 3:
                    time = reader.ReadFixed64();
                    break;
                case 4:
                    value = reader.ReadDouble();
                    break;
                case 6:
                    value = (long)reader.ReadFixed64();
                    break;
                case 7:
                    ReadKeyValue(reader.ReadBytes(), attributes);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new ExportedMetricPoint(source, name, unit, type, attributes, value, 0, FromUnixNanoseconds(time));
    }

    // HistogramDataPoint{3 time_unix_nano, 4 count (fixed64), 5 sum (double), 9 attributes}
    static ExportedMetricPoint DecodeHistogramPoint(OtlpSource source, string name, string unit, ReadOnlySpan<byte> bytes)
    {
        var attributes = new Dictionary<string, object?>();
        double sum = 0;
        ulong count = 0, time = 0;
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 3:
                    time = reader.ReadFixed64();
                    break;
                case 4:
                    count = reader.ReadFixed64();
                    break;
                case 5:
                    sum = reader.ReadDouble();
                    break;
                case 9:
                    ReadKeyValue(reader.ReadBytes(), attributes);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new ExportedMetricPoint(source, name, unit, OtlpMetricType.Histogram, attributes, sum, count, FromUnixNanoseconds(time));
    }

    // LogRecord{2 severity_number, 5 body, 6 attributes, 9 trace_id, 10 span_id}
    static ExportedLog DecodeLog(OtlpSource source, ReadOnlySpan<byte> bytes)
    {
        string? traceId = null, spanId = null;
        var severity = 0;
        object? body = null;
        var attributes = new Dictionary<string, object?>();
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 2:
                    severity = (int)reader.ReadVarint();
                    break;
                case 5:
                    body = ReadAnyValue(reader.ReadBytes());
                    break;
                case 6:
                    ReadKeyValue(reader.ReadBytes(), attributes);
                    break;
                case 9:
                    var trace = reader.ReadBytes();
                    traceId = trace.IsEmpty ? null : Convert.ToHexStringLower(trace);
                    break;
                case 10:
                    var span = reader.ReadBytes();
                    spanId = span.IsEmpty ? null : Convert.ToHexStringLower(span);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new ExportedLog(source, traceId, spanId, severity, body?.ToString() ?? "", attributes);
    }

    // KeyValue{1 key, 2 value}
    static void ReadKeyValue(ReadOnlySpan<byte> bytes, Dictionary<string, object?> into)
    {
        var key = "";
        object? value = null;
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 1:
                    key = reader.ReadString();
                    break;
                case 2:
                    value = ReadAnyValue(reader.ReadBytes());
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        into[key] = value;
    }

    // AnyValue{1 string, 2 bool, 3 int, 4 double, 5 array: ArrayValue{1 values}, 6 kvlist: KeyValueList{1 values}, 7 bytes}
    static object? ReadAnyValue(ReadOnlySpan<byte> bytes)
    {
        object? value = null;
        var reader = new ProtobufReader(bytes);
        while (reader.Next())
        {
            switch (reader.FieldNumber)
            {
                case 1:
                    value = reader.ReadString();
                    break;
                case 2:
                    value = reader.ReadVarint() != 0;
                    break;
                case 3:
                    value = (long)reader.ReadVarint();
                    break;
                case 4:
                    value = reader.ReadDouble();
                    break;
                case 5:
                    var items = new List<object?>();
                    var array = new ProtobufReader(reader.ReadBytes());
                    while (array.Next())
                    {
                        if (array.FieldNumber == 1)
                        {
                            items.Add(ReadAnyValue(array.ReadBytes()));
                        }
                        else
                        {
                            array.Skip();
                        }
                    }

                    value = new AttributeList(items);
                    break;
                case 6:
                    var map = new Dictionary<string, object?>();
                    var list = new ProtobufReader(reader.ReadBytes());
                    while (list.Next())
                    {
                        if (list.FieldNumber == 1)
                        {
                            ReadKeyValue(list.ReadBytes(), map);
                        }
                        else
                        {
                            list.Skip();
                        }
                    }

                    value = map;
                    break;
                case 7:
                    value = reader.ReadBytes().ToArray();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return value;
    }

    static DateTimeOffset FromUnixNanoseconds(ulong nanoseconds) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanoseconds / 100));

    /// <summary>An array attribute, printed as its items (so a text search sees them).</summary>
    sealed class AttributeList(List<object?> items) : List<object?>(items)
    {
        public override string ToString() => "[" + string.Join(", ", this) + "]";
    }
}

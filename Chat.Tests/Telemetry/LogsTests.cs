using Chat.Tests.Infrastructure;

namespace Chat.Tests.Telemetry;

/// <summary>Logs are exported as structured records that carry the trace they were written in.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class LogsTests(TelemetryAppFixture app)
{
    [Fact]
    public async Task A_log_written_while_serving_a_request_is_structured_and_carries_the_requests_trace_id()
    {
        var origin = $"http://{Guid.NewGuid():N}.example";
        var replicas = await app.GetGatewayReplicasAsync();

        var response = await RawHttp.UpgradeAsync(replicas[0], "/ws?user=mallory", $"Origin: {origin}");
        Assert.Equal(403, response.StatusCode);

        // The gateway logs the refusal with the origin as an attribute (not only inside the text)...
        var log = await app.Otlp.WaitForAsync(
            o => o.Logs.FirstOrDefault(l => l.Attributes.GetValueOrDefault("Origin") as string == origin),
            TestTimeouts.Network,
            $"the gateway's log of the refused origin {origin}",
            o => $"{o.Logs.Count} log records; from the gateway: " + string.Join(" | ", o.Logs.Where(l => l.Source.ServiceName == ChatAppFixture.Gateway).TakeLast(10).Select(l => l.Body)));
        Assert.Equal(ChatAppFixture.Gateway, log.Source.ServiceName);
        Assert.Equal(9, log.Severity); // INFO
        Assert.NotNull(log.TraceId);
        Assert.NotNull(log.SpanId);

        // ...in the trace of the refused request, whose server span is exported with the same trace id.
        var request = await app.Otlp.WaitForAsync(
            o => o.Spans.FirstOrDefault(s => s.TraceId == log.TraceId && s.Kind == OtlpSpanKind.Server),
            TestTimeouts.Network,
            $"the server span of trace {log.TraceId}");
        Assert.Equal(log.SpanId, request.SpanId);
        Assert.Equal("403", request.Attribute("http.response.status_code"));
    }
}

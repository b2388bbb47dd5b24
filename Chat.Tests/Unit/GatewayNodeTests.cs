using System.Text.Json;
using Chat.Gateway.Diagnostics;

namespace Chat.Tests.Unit;

public sealed class GatewayNodeTests
{
    [Theory]
    [InlineData("service.instance.id=gw-1", "gw-1")]
    [InlineData("service.name=gateway, service.instance.id=abc123 ,x=y", "abc123")]
    [InlineData("service.name=gateway", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("service.instance.id=", null)]
    public void The_node_comes_from_the_otel_service_instance_id(string? attributes, string? expected) =>
        Assert.Equal(expected, GatewayNode.FromResourceAttributes(attributes));

    [Fact]
    public void Timestamps_are_written_as_iso_8601_utc_with_milliseconds()
    {
        var options = new JsonSerializerOptions { Converters = { new UtcTimestampJsonConverter() } };
        var json = JsonSerializer.Serialize(DateTimeOffset.Parse("2026-11-25T11:00:00.1234+01:00"), options);

        Assert.Equal("\"2026-11-25T10:00:00.123Z\"", json);
        Assert.Equal(DateTimeOffset.Parse("2026-11-25T10:00:00.123Z"), JsonSerializer.Deserialize<DateTimeOffset>(json, options));
    }
}

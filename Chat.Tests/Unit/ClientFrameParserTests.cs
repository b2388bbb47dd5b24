using System.Text;
using Chat.Gateway.Protocol;

namespace Chat.Tests.Unit;

public sealed class ClientFrameParserTests
{
    static (bool Ok, ClientFrame? Frame, string Code, string? Ref) Parse(string json)
    {
        var ok = ClientFrameParser.TryParse(Encoding.UTF8.GetBytes(json), out var frame, out var code, out _, out var reference);
        return (ok, frame, code, reference);
    }

    [Fact]
    public void A_send_frame_is_read_with_its_fields()
    {
        var (ok, frame, _, reference) = Parse("""{"type":"send","room":"general","text":"hello","ref":"c1"}""");
        Assert.True(ok);
        Assert.Equal(new ClientFrame(ClientFrameType.Send, "general", "hello", "c1", null), frame);
        Assert.Equal("c1", reference);
    }

    [Fact]
    public void A_send_may_name_the_message_it_retries()
    {
        var (ok, frame, _, _) = Parse("""{"type":"send","room":"general","text":"hello","ref":"c2","retryOf":"0196f1c2-0000-7000-8000-000000000001"}""");
        Assert.True(ok);
        Assert.Equal("0196f1c2-0000-7000-8000-000000000001", frame!.RetryOf);
    }

    [Fact]
    public void A_retryOf_that_is_not_a_string_is_marked_as_such()
    {
        var (ok, frame, _, _) = Parse("""{"type":"send","room":"general","text":"hello","retryOf":7}""");
        Assert.True(ok);
        Assert.Null(frame!.RetryOf);
        Assert.Equal(ClientFrameFields.RetryOf, frame.NotStrings);
    }

    [Fact]
    public void Unknown_fields_of_any_shape_are_ignored()
    {
        var (ok, frame, _, _) = Parse("""{"x":{"type":"send","deep":[1,2,{"a":null}]},"type":"join","room":"r","extra":true,"n":1.5e3}""");
        Assert.True(ok);
        Assert.Equal(ClientFrameType.Join, frame!.Type);
        Assert.Equal("r", frame.Room);
    }

    [Fact]
    public void Escaped_property_names_and_values_are_read()
    {
        var (ok, frame, _, _) = Parse("""{"\u0074ype":"join","room":"g\u0065neral"}""");
        Assert.True(ok);
        Assert.Equal("general", frame!.Room);
    }

    [Theory]
    [InlineData("{bad")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"join\"")]
    [InlineData("{\"type\":\"ping\"} {\"type\":\"ping\"}")]
    [InlineData("{\"type\":\"ping\",}")]
    [InlineData("null")]
    public void Text_that_is_not_one_json_object_is_invalid_json(string text) => Assert.Equal(ErrorCodes.InvalidJson, Parse(text).Code);

    [Fact]
    public void Invalid_utf8_is_invalid_json()
    {
        var bytes = new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' };
        Assert.False(ClientFrameParser.TryParse(bytes, out _, out var code, out _, out _));
        Assert.Equal(ErrorCodes.InvalidJson, code);
    }

    [Theory]
    [InlineData("""{"type":"shout"}""")]
    [InlineData("""{"room":"r"}""")]
    [InlineData("""{"type":5}""")]
    [InlineData("""{"type":"JOIN","room":"r"}""")]
    public void A_missing_or_unknown_type_is_unknown_type(string json) => Assert.Equal(ErrorCodes.UnknownType, Parse(json).Code);

    [Fact]
    public void Fields_of_another_json_type_are_marked_and_have_no_value()
    {
        var (ok, frame, _, _) = Parse("""{"type":"send","room":["r"],"text":42,"since":null}""");
        Assert.True(ok);
        Assert.Equal((null, null), (frame!.Room, frame.Text));
        Assert.True(frame.IsNotString(ClientFrameFields.Room) && frame.IsNotString(ClientFrameFields.Text));
        Assert.False(frame.IsNotString(ClientFrameFields.Since)); // null is absence, not another type
    }

    [Fact]
    public void A_numeric_ref_is_echoed_as_written_even_when_the_frame_is_refused()
    {
        var (ok, _, code, reference) = Parse("""{"type":"nope","ref":17}""");
        Assert.False(ok);
        Assert.Equal(ErrorCodes.UnknownType, code);
        Assert.Equal("17", reference);
    }

    [Fact]
    public void Deeply_nested_json_is_refused_not_a_crash()
    {
        var json = "{\"type\":\"ping\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Equal(ErrorCodes.InvalidJson, Parse(json).Code);
    }
}

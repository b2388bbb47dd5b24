using System.Text;
using Chat.Gateway.Messaging;

namespace Chat.Tests.Unit;

public sealed class ChatMessageReaderTests
{
    static readonly Guid Id = Guid.Parse("01936f3e-8a2b-7c4d-9e5f-0123456789ab");

    static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void The_raw_JSON_a_gateway_publishes_is_read()
    {
        var body = Utf8($$"""{"id":"{{Id}}","room":"lobby","user":"alice","text":"hi","sentAt":"2026-11-25T10:00:00.123+00:00","node":"abc"}""");

        var message = ChatMessageReader.Read(body, "application/json", out var problem);

        Assert.Null(problem);
        Assert.Equal(new ChatMessage(Id, "lobby", "alice", "hi", new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero), "abc"), message);
    }

    [Fact]
    public void An_event_in_MassTransits_envelope_is_read_from_its_message()
    {
        var body = Utf8($$$"""
            {"messageId":"{{{Id}}}","messageType":["urn:message:Chat.Contracts:ChatMessage"],
             "message":{"Id":"{{{Id}}}","Room":"lobby","User":"bob","Text":"from an older gateway","SentAt":"2026-11-25T10:00:00Z"}}
            """);

        var message = ChatMessageReader.Read(body, ChatMessageReader.EnvelopeContentType, out var problem);

        Assert.Null(problem);
        Assert.Equal(("lobby", "bob", "from an older gateway"), (message!.Room, message.User, message.Text));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"id":"not a guid","room":"lobby","user":"a","text":"b","sentAt":"2026-11-25T10:00:00Z"}""")]
    [InlineData("""{"room":"lobby","user":"a","text":"b","sentAt":"2026-11-25T10:00:00Z"}""")]
    [InlineData("""{"id":"01936f3e-8a2b-7c4d-9e5f-0123456789ab","user":"a","text":"b","sentAt":"2026-11-25T10:00:00Z"}""")]
    [InlineData("[]")]
    public void Anything_else_is_refused_with_a_reason(string json)
    {
        var message = ChatMessageReader.Read(Utf8(json), "application/json", out var problem);

        Assert.Null(message);
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void An_envelope_without_a_message_is_refused_with_a_reason()
    {
        var message = ChatMessageReader.Read(Utf8("""{"messageType":["urn:message:Other"]}"""), ChatMessageReader.EnvelopeContentType, out var problem);

        Assert.Null(message);
        Assert.NotNull(problem);
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Contracts;

/// <summary>Writes timestamps as ISO-8601 UTC with milliseconds and a <c>Z</c> (<c>2026-11-25T10:00:00.123Z</c>); reads any ISO-8601 form.</summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<char> buffer = stackalloc char[24];
        value.UtcDateTime.TryFormat(buffer, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}

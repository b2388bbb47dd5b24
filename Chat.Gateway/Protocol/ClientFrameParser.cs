using System.Text.Json;

namespace Chat.Gateway.Protocol;

/// <summary>
/// Parses one client frame with <see cref="Utf8JsonReader"/>: one JSON object, told apart by <c>type</c>,
/// unknown fields ignored (whatever their value), known fields read as strings.
/// </summary>
public static class ClientFrameParser
{
    static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Parses <paramref name="utf8"/>; on failure returns <see langword="false"/> with an error code and a one-line reason.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out ClientFrame? frame, out string errorCode, out string reason, out string? reference)
    {
        frame = null;
        errorCode = "";
        reason = "";
        reference = null;

        string? type = null, room = null, text = null, since = null, retryOf = null;
        var hasType = false;
        var notStrings = ClientFrameFields.None;
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            // The reader checks UTF-8 only in what it decodes; unknown fields are skipped undecoded.
            return Fail(ErrorCodes.InvalidJson, "the frame is not valid UTF-8", out errorCode, out reason);
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(ErrorCodes.InvalidJson, "a frame must be one JSON object", out errorCode, out reason);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                var known = name.SequenceEqual("type"u8) || name.SequenceEqual("room"u8) || name.SequenceEqual("text"u8)
                    || name.SequenceEqual("ref"u8) || name.SequenceEqual("since"u8) || name.SequenceEqual("retryOf"u8) || reader.ValueIsEscaped;
                var propertyName = known ? reader.GetString() : null;
                if (!reader.Read())
                {
                    break;
                }

                string? value = null;
                var isString = propertyName is null || reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
                if (propertyName is not null && reader.TokenType == JsonTokenType.String)
                {
                    value = reader.GetString();
                }
                else if (propertyName == "ref" && reader.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False)
                {
                    value = System.Text.Encoding.UTF8.GetString(reader.ValueSpan); // a scalar ref is echoed as written
                }

                reader.Skip();
                switch (propertyName)
                {
                    case "type": type = isString ? value : ""; hasType = true; break;
                    case "room": room = value; notStrings |= isString ? 0 : ClientFrameFields.Room; break;
                    case "text": text = value; notStrings |= isString ? 0 : ClientFrameFields.Text; break;
                    case "ref": reference = value; break;
                    case "since": since = value; notStrings |= isString ? 0 : ClientFrameFields.Since; break;
                    case "retryOf": retryOf = value; notStrings |= isString ? 0 : ClientFrameFields.RetryOf; break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Fail(ErrorCodes.InvalidJson, "a frame must be exactly one JSON object", out errorCode, out reason);
            }
        }
        catch (JsonException)
        {
            return Fail(ErrorCodes.InvalidJson, "the frame is not valid JSON", out errorCode, out reason);
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or an unescapable string inside an otherwise well-formed document.
            return Fail(ErrorCodes.InvalidJson, "the frame is not valid JSON text", out errorCode, out reason);
        }

        ClientFrameType? kind = type switch
        {
            "join" => ClientFrameType.Join,
            "leave" => ClientFrameType.Leave,
            "send" => ClientFrameType.Send,
            "ping" => ClientFrameType.Ping,
            "typing" => ClientFrameType.Typing,
            _ => null,
        };

        if (kind is null)
        {
            return Fail(ErrorCodes.UnknownType, hasType ? "unknown frame type" : "the frame has no type", out errorCode, out reason);
        }

        frame = new ClientFrame(kind.Value, room, text, reference, since, retryOf, notStrings);
        return true;
    }

    static bool Fail(string code, string message, out string errorCode, out string reason)
    {
        errorCode = code;
        reason = message;
        return false;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Gateway.Messaging;

/// <summary>
/// Reads a <see cref="ChatMessage"/> event off the wire as MassTransit writes it: the record's own JSON
/// (<c>application/json</c>, what every gateway publishes) or MassTransit's envelope around it
/// (<c>application/vnd.masstransit+json</c>, what an older gateway published), property names in either case.
/// </summary>
public static class ChatMessageReader
{
    public const string EnvelopeContentType = "application/vnd.masstransit+json";

    /// <summary>Returns the message, or <see langword="null"/> and the reason it could not be read.</summary>
    public static ChatMessage? Read(ReadOnlySpan<byte> body, string? contentType, out string? problem)
    {
        problem = null;
        try
        {
            ChatMessage? message;
            if (string.Equals(contentType, EnvelopeContentType, StringComparison.OrdinalIgnoreCase))
            {
                message = JsonSerializer.Deserialize(body, ChatMessageJsonContext.Default.Envelope)?.Message;
            }
            else
            {
                message = JsonSerializer.Deserialize(body, ChatMessageJsonContext.Default.ChatMessage);
            }

            if (message is null || message.Id == Guid.Empty || string.IsNullOrEmpty(message.Room) || message.User is null || message.Text is null)
            {
                problem = "not a ChatMessage: id, room, user or text missing";
                return null;
            }

            return message;
        }
        catch (JsonException ex)
        {
            problem = $"not valid JSON for a ChatMessage: {ex.Message}";
            return null;
        }
    }

    /// <summary>The part of MassTransit's envelope that carries the event.</summary>
    public sealed record Envelope(ChatMessage? Message);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(ChatMessageReader.Envelope))]
sealed partial class ChatMessageJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Gateway.Protocol;

/// <summary>Source-generated serialisation of the server frames and of the history API's pages.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampJsonConverter)])]
[JsonSerializable(typeof(WelcomeFrame))]
[JsonSerializable(typeof(JoinedFrame))]
[JsonSerializable(typeof(LeftFrame))]
[JsonSerializable(typeof(AckFrame))]
[JsonSerializable(typeof(MessageFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(PongFrame))]
[JsonSerializable(typeof(PresenceFrame))]
[JsonSerializable(typeof(TypingFrame))]
[JsonSerializable(typeof(MessagePage))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;

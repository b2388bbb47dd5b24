using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.History.Apis;

/// <summary>Source-generated JSON for the API.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(UtcTimestampJsonConverter)])]
[JsonSerializable(typeof(MessagePage))]
sealed partial class HistoryJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Bench.Workload;

/// <summary>Source-generated JSON for the bench's own small needs (frames it builds, pages it reads).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class BenchJsonContext : JsonSerializerContext;

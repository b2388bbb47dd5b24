using System.Text.Json;

namespace Chat.Tests.Infrastructure;

static class JsonDefaults
{
    /// <summary>Web defaults, writing non-ASCII text as UTF-8 (as a browser's JSON.stringify does), not as escapes.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

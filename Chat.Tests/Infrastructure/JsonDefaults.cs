using System.Text.Json;

namespace Chat.Tests.Infrastructure;

static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

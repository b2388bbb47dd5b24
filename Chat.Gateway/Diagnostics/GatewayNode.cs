using System.Security.Cryptography;

namespace Chat.Gateway.Diagnostics;

/// <summary>
/// The name of this gateway instance, sent as <c>welcome.node</c>. Under Aspire each replica gets its own
/// <c>service.instance.id</c> in <c>OTEL_RESOURCE_ATTRIBUTES</c>; elsewhere it is the host name and a random suffix.
/// </summary>
public sealed class GatewayNode
{
    public GatewayNode(IConfiguration configuration)
    {
        Id = FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"])
            ?? $"{Environment.MachineName}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }

    public string Id { get; }

    internal static string? FromResourceAttributes(string? attributes)
    {
        foreach (var pair in (attributes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0 && pair[..separator] == "service.instance.id" && separator < pair.Length - 1)
            {
                return pair[(separator + 1)..];
            }
        }

        return null;
    }
}

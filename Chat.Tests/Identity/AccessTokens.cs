using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Tests.Identity;

/// <summary>
/// A signing key and tokens as <c>dotnet user-jwts</c> makes them (HMAC-SHA256, issuer and audience), and the AppHost
/// arguments that configure the services' JwtBearer handler with them, in the keys PROTOCOL.md's identity section names.
/// </summary>
sealed class AccessTokens
{
    public const string Issuer = "dev";
    public const string Audience = "chat";

    readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public IEnumerable<string> AppHostArguments =>
    [
        "--Chat:Identity=token",
        $"--Authentication:Schemes:Bearer:ValidIssuer={Issuer}",
        $"--Authentication:Schemes:Bearer:ValidAudiences:0={Audience}",
        $"--Authentication:Schemes:Bearer:SigningKeys:0:Issuer={Issuer}",
        $"--Authentication:Schemes:Bearer:SigningKeys:0:Value={Convert.ToBase64String(_key)}",
        "--Authentication:Schemes:Bearer:SigningKeys:0:Length=32",
    ];

    /// <summary>A token for <paramref name="name"/> (claim <c>name</c>; <c>sub</c> is always set), valid for <paramref name="lifetime"/>.</summary>
    public string Create(string? name, string sub = "subject-1", TimeSpan? lifetime = null, string issuer = Issuer, string audience = Audience, byte[]? key = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["sub"] = sub };
        if (name is not null)
        {
            claims["name"] = name;
        }

        var expires = now + (lifetime ?? TimeSpan.FromHours(1));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(1) : now - TimeSpan.FromMinutes(1),
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(1) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? _key), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A token signed with another key.</summary>
    public string Forged(string name) => Create(name, key: RandomNumberGenerator.GetBytes(32));
}

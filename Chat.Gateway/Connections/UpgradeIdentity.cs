using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Primitives;

namespace Chat.Gateway.Connections;

/// <summary>
/// Who opens a WebSocket (PROTOCOL.md): in anonymous mode the <c>?user=</c> name, or a guest name; in token mode the
/// validated access token's <c>name</c> claim, else its <c>sub</c>, and <c>?user=</c> is ignored. Refusals carry their
/// status (400, 401, 403) and a one-line reason.
/// </summary>
public sealed class UpgradeIdentity(IConfiguration configuration)
{
    readonly bool _requiresToken = configuration.RequiresToken();

    public async Task<IdentityResult> ResolveAsync(HttpContext context)
    {
        if (!_requiresToken)
        {
            return ResolveUser(context.Request.Query["user"], out var user) is { } problem
                ? IdentityResult.Refused(StatusCodes.Status400BadRequest, problem)
                : IdentityResult.Accepted(new ConnectingUser(user, AccessToken: null, ExpiresAt: null));
        }

        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!result.Succeeded)
        {
            return IdentityResult.Refused(StatusCodes.Status401Unauthorized, AccessTokenProblem.Describe(result.Failure));
        }

        var name = result.Principal.FindFirstValue("name") ?? result.Principal.FindFirstValue("sub");
        if (name is null || ChatRules.ValidateUser(name) is not null)
        {
            return IdentityResult.Refused(StatusCodes.Status403Forbidden, $"the token's name breaks the user rules: {ChatRules.ValidateUser(name ?? "")}");
        }

        return IdentityResult.Accepted(new ConnectingUser(name, result.Properties.GetTokenValue("access_token"), result.Properties.ExpiresUtc));
    }

    /// <summary>The user name of the upgrade, or a guest name when none is given; returns the reason when it is invalid.</summary>
    internal static string? ResolveUser(StringValues values, out string user)
    {
        user = "";
        if (values.Count == 0)
        {
            user = ChatRules.NewGuestName();
            return null;
        }

        if (values.Count > 1)
        {
            return "user is given more than once";
        }

        if (ChatRules.ValidateUser(values[0] ?? "") is { } reason)
        {
            return reason;
        }

        user = values[0]!;
        return null;
    }
}

/// <summary>The user a connection speaks for; in token mode also the token (forwarded to history) and when it expires.</summary>
public sealed record ConnectingUser(string User, string? AccessToken, DateTimeOffset? ExpiresAt);

/// <summary>An upgrade's identity: the user, or the status and one-line reason it is refused with.</summary>
public sealed record IdentityResult(ConnectingUser? User, int Status, string? Refusal)
{
    public static IdentityResult Accepted(ConnectingUser user) => new(user, StatusCodes.Status200OK, null);

    public static IdentityResult Refused(int status, string reason) => new(null, status, reason);
}

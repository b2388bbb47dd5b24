using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>One line, safe to show a client, for why an access token was refused (IdentityModel's own messages are long and redacted).</summary>
public static class AccessTokenProblem
{
    public static string Describe(Exception? failure) => failure switch
    {
        null => "no access token: send one as ?access_token= or Authorization: Bearer",
        SecurityTokenExpiredException => "the access token has expired",
        SecurityTokenNotYetValidException => "the access token is not valid yet",
        SecurityTokenInvalidIssuerException => "the access token's issuer is not accepted",
        SecurityTokenInvalidAudienceException => "the access token's audience is not accepted",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the access token's signature is not valid",
        _ => "the access token is not valid",
    };
}

using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Identity (PROTOCOL.md v1.1): <c>Chat:Identity</c> is <c>anonymous</c> (the default) or <c>token</c>. In token mode
/// ASP.NET Core's JwtBearer handler validates access tokens with its standard <c>Authentication:Schemes:Bearer</c>
/// configuration (what <c>dotnet user-jwts</c> writes, or an <c>Authority</c>); nothing of it is home-made.
/// </summary>
public static class IdentityExtensions
{
    public const string ModeKey = "Chat:Identity";
    public const string Anonymous = "anonymous";
    public const string Token = "token";

    /// <summary>Whether this service requires an access token (<c>Chat:Identity=token</c>).</summary>
    public static bool RequiresToken(this IConfiguration configuration) =>
        (configuration[ModeKey] ?? Anonymous) switch
        {
            Anonymous => false,
            Token => true,
            var other => throw new InvalidOperationException($"{ModeKey} must be '{Anonymous}' or '{Token}', not '{other}'."),
        };

    /// <summary>
    /// In token mode: JwtBearer authentication (a token may also come as <c>?access_token=</c> on <paramref name="queryTokenPaths"/>,
    /// since browsers cannot set headers on a WebSocket) and authorization, with a problem-details 401 that says why.
    /// </summary>
    public static TBuilder AddChatIdentity<TBuilder>(this TBuilder builder, params string[] queryTokenPaths)
        where TBuilder : IHostApplicationBuilder
    {
        if (!builder.Configuration.RequiresToken())
        {
            return builder;
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false; // "name" and "sub" as the token has them
            options.SaveToken = true; // the gateway forwards a connection's token to history
            options.Events = new JwtBearerEvents
            {
            OnMessageReceived = context =>
            {
                if (queryTokenPaths.Contains(context.Request.Path.Value, StringComparer.Ordinal) && context.Request.Query["access_token"] is [{ Length: > 0 } token])
                {
                    context.Token = token;
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = JwtBearerDefaults.AuthenticationScheme;
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "An access token is required.", Detail = AccessTokenProblem.Describe(context.AuthenticateFailure) },
                });
            },
            };
        });
        builder.Services.AddAuthorization();
        builder.Services.AddProblemDetails();
        return builder;
    }
}

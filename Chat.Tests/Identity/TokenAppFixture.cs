using Chat.Tests.Infrastructure;

namespace Chat.Tests.Identity;

/// <summary>The whole app in token mode (<c>Chat:Identity=token</c>), configured on the AppHost's command line only.</summary>
public sealed class TokenAppFixture : ChatAppFixture
{
    internal AccessTokens Tokens { get; } = new();

    protected override IEnumerable<string> AppHostArguments => Tokens.AppHostArguments;

    /// <summary>A WebSocket address of the gateway with <c>?access_token=</c>.</summary>
    public Uri SocketWithToken(string token, string path = "/ws") =>
        new UriBuilder(GatewaySocket(path)) { Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;
}

[CollectionDefinition(Name)]
public sealed class TokenCollection : ICollectionFixture<TokenAppFixture>
{
    public const string Name = "Token mode";
}

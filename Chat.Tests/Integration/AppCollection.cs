using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>The integration tests that share one running app. Each uses its own rooms and users, so order never matters.</summary>
[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<ChatAppFixture>
{
    public const string Name = "App";
}

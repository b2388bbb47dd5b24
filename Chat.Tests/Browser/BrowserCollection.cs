using Chat.Tests.Infrastructure;

namespace Chat.Tests.Browser;

/// <summary>
/// The browser tests share one running app of their own (separate from the integration tests' app), so a page's
/// rooms, reconnects and replicas never meet another collection's traffic. Each test uses its own rooms and users.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ChatAppFixture>
{
    public const string Name = "Browser";
}

namespace Chat.AppHost.Database;

/// <summary>How the AppHost provides PostgreSQL (configuration <c>Chat:Database</c>), when history uses it.</summary>
enum DatabaseMode
{
    /// <summary>The container when a container runtime answers, else the machine's PostgreSQL.</summary>
    Auto,

    /// <summary>Aspire.Hosting.PostgreSQL's container.</summary>
    Container,

    /// <summary>The machine's <c>postgres</c> as an executable resource.</summary>
    Local,
}

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A database of a <see cref="LocalPostgresResource"/>, created when the server is ready; its connection string is the
/// server's with <c>Database=</c>, as <see cref="PostgresDatabaseResource"/>'s is.
/// </summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

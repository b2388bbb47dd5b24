namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The machine's PostgreSQL server run as an executable resource, on its own data directory and port. Its connection
/// string has the same shape as <see cref="PostgresServerResource"/>'s, so services cannot tell the two apart.
/// </summary>
public sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The superuser, as in the container.</summary>
    public const string UserName = "postgres";

    /// <summary>The superuser's password, set when the data directory is initialised.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");
}

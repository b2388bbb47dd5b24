namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The machine's <c>rabbitmq-server</c> run as an executable resource, with its own node name, ports and data
/// directory. Its connection string has the same shape as <see cref="RabbitMQServerResource"/>'s, so services
/// cannot tell the two apart.
/// </summary>
public sealed class LocalRabbitMQResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string DistributionEndpointName = "dist";

    /// <summary>The AMQP endpoint.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <summary>
    /// <c>amqp://guest:guest@host:port</c>. The <c>guest</c> user may log in over loopback only, which is where
    /// this broker listens (127.0.0.1).
    /// </summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://guest:guest@{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// One node of the machine's <c>rabbitmq-server</c> run as an executable resource, with its own node name, ports and data
/// directory. Its connection string has the same shape as <see cref="RabbitMQServerResource"/>'s, so services cannot tell
/// the two apart.
/// </summary>
public sealed class LocalRabbitMQResource(string name, string command, string workingDirectory, string userName, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string DistributionEndpointName = "dist";

    /// <summary>The Erlang node name; <c>localhost</c>, since every node of the AppHost runs on this machine.</summary>
    public string NodeName { get; } = $"{name}@localhost";

    /// <summary>The user the node makes on its first start (<c>default_user</c> in its rabbitmq.conf).</summary>
    public string UserName { get; } = userName;

    /// <summary>That user's password (<c>default_pass</c>), generated and kept in the AppHost's user secrets.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The AMQP endpoint.</summary>
    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <summary><c>amqp://user:password@host:port</c>.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{Uri.EscapeDataString(UserName)}:{PasswordParameter:uri}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}

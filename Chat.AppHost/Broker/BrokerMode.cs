namespace Chat.AppHost.Broker;

/// <summary>How the AppHost provides RabbitMQ (configuration <c>Chat:Broker</c>).</summary>
enum BrokerMode
{
    /// <summary>The container when a container runtime answers, else the local rabbitmq-server.</summary>
    Auto,

    /// <summary>Aspire.Hosting.RabbitMQ's container.</summary>
    Container,

    /// <summary>The machine's rabbitmq-server as an executable resource.</summary>
    Local,
}

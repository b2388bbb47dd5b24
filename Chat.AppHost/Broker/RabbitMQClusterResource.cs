namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A RabbitMQ cluster as the one resource services reference. It runs no process: its nodes are resources of their own.
/// Its connection string is every node's AMQP URI, separated by commas, so a client can connect to any node and move to
/// another when its node goes (Chat.ServiceDefaults' <c>BrokerConnectionString</c> reads it).
/// </summary>
public sealed class RabbitMQClusterResource(string name, IReadOnlyList<IResourceWithConnectionString> nodes)
    : Resource(name), IResourceWithConnectionString
{
    /// <summary>The nodes, in the order clients try them.</summary>
    public IReadOnlyList<IResourceWithConnectionString> Nodes { get; } = nodes;

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var builder = new ReferenceExpressionBuilder();
            for (var i = 0; i < Nodes.Count; i++)
            {
                if (i > 0)
                {
                    builder.AppendLiteral(",");
                }

                builder.Append($"{Nodes[i]}");
            }

            return builder.Build();
        }
    }
}

using RabbitMQ.Client;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The <c>messaging</c> connection string: the AMQP URI of every broker node, separated by commas
/// (<c>amqp://user:password@host1:5672,amqp://user:password@host2:5672,…</c>); a single broker is one plain URI. The
/// nodes form one cluster, so they share scheme, user, password and virtual host. Parsed here once, for MassTransit and
/// for RabbitMQ.Client alike.
/// </summary>
public sealed class BrokerConnectionString
{
    BrokerConnectionString(IReadOnlyList<Uri> nodes) => Nodes = nodes;

    /// <summary>Every node, in the order given.</summary>
    public IReadOnlyList<Uri> Nodes { get; }

    /// <summary>Whether the broker is a cluster of several nodes.</summary>
    public bool IsCluster => Nodes.Count > 1;

    /// <summary>The first node: the one clients try first, and the source of credentials and virtual host.</summary>
    public Uri Primary => Nodes[0];

    /// <summary>Each node as MassTransit's cluster configuration names it: <c>host</c> or <c>host:port</c>.</summary>
    public IEnumerable<string> HostsAndPorts => Nodes.Select(n => n.IsDefaultPort || n.Port < 0 ? n.Host : $"{n.Host}:{n.Port}");

    /// <summary>Parses the connection string; the message of a <see cref="FormatException"/> never repeats it (it holds a password).</summary>
    public static BrokerConnectionString Parse(string connectionString)
    {
        var nodes = new List<Uri>();
        foreach (var part in connectionString.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0)
            {
                throw new FormatException($"Node {nodes.Count + 1} of the broker connection string is not an amqp:// or amqps:// URI with a host.");
            }

            if (nodes.Count > 0 && (uri.Scheme != nodes[0].Scheme || uri.UserInfo != nodes[0].UserInfo || uri.AbsolutePath != nodes[0].AbsolutePath))
            {
                throw new FormatException($"Node {nodes.Count + 1} of the broker connection string differs from the first in scheme, user, password or virtual host: the nodes of one cluster share them.");
            }

            nodes.Add(uri);
        }

        return nodes.Count > 0 ? new(nodes) : throw new FormatException("The broker connection string names no node.");
    }

    /// <summary>
    /// Points a RabbitMQ.Client factory at the cluster: credentials and virtual host from the first node, and every node as
    /// an endpoint, which the client tries in random order when it connects and again when it recovers.
    /// </summary>
    public void Apply(ConnectionFactory factory)
    {
        factory.Uri = Primary;
        AmqpTcpEndpoint[] endpoints = [.. Nodes.Select(n => new AmqpTcpEndpoint(n, new SslOption(n.Host, enabled: n.Scheme == "amqps")))];
        factory.EndpointResolverFactory = _ => new DefaultEndpointResolver(endpoints);
    }
}

namespace Chat.Tests.Cluster;

/// <summary>The cluster's tests stop and start its nodes: they run one at a time, after the parallel collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerClusterCollection : ICollectionFixture<BrokerClusterFixture>
{
    public const string Name = "BrokerCluster";
}

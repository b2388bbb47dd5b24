using Chat.Bench;

namespace Chat.Tests.Unit;

/// <summary>
/// Which configuration of the app each scenario runs against: the burst scenarios with the limits raised, the paced
/// ones with the gateway's defaults (raising only a rate limit that a paced rate is above), a running app as it is.
/// </summary>
public sealed class BenchConfigurationTests
{
    [Fact]
    public void Burst_and_paced_scenarios_run_against_two_configurations_the_paced_ones_with_the_defaults()
    {
        var configurations = AppConfiguration.For(new BenchOptions());

        Assert.Equal(2, configurations.Count);
        var burst = configurations[0];
        Assert.Equal(AppConfiguration.RaisedLimits, burst.Name);
        Assert.Equal(["talk", "rooms", "idle"], burst.Scenarios);
        Assert.Equal(BenchOptions.RaisedLimits, burst.Settings);
        var paced = configurations[1];
        Assert.Equal(AppConfiguration.Defaults, paced.Name);
        Assert.Equal(["talk-paced", "chat"], paced.Scenarios);
        Assert.Empty(paced.Settings);
        Assert.Empty(paced.Raised);
    }

    [Fact]
    public void Set_applies_to_every_configuration_over_the_raised_limits()
    {
        var options = new BenchOptions { Settings = new Dictionary<string, string> { ["Gateway:MessageBurst"] = "80", ["Chat:GatewayReplicas"] = "3" } };

        var configurations = AppConfiguration.For(options);

        Assert.All(configurations, c => Assert.Equal("3", c.Settings["Chat:GatewayReplicas"]));
        Assert.All(configurations, c => Assert.Equal("80", c.Settings["Gateway:MessageBurst"]));
        Assert.Contains("Gateway:MessageBurst 40 → 80", configurations[1].Raised);
    }

    [Fact]
    public void A_paced_rate_above_the_gateways_limit_raises_that_limit_only()
    {
        var configurations = AppConfiguration.For(new BenchOptions { Scenarios = ["talk-paced"], Rate = 30 });

        var paced = Assert.Single(configurations);
        Assert.Equal(AppConfiguration.Defaults, paced.Name);
        Assert.Equal(new Dictionary<string, string> { ["Gateway:MessagesPerSecond"] = "30", ["Gateway:MessageBurst"] = "60" }, paced.Settings);
    }

    [Fact]
    public void Idle_joins_the_configuration_that_runs_anyway()
    {
        Assert.Equal(["chat", "idle"], Assert.Single(AppConfiguration.For(new BenchOptions { Scenarios = ["chat", "idle"] })).Scenarios);
        Assert.Equal(AppConfiguration.RaisedLimits, Assert.Single(AppConfiguration.For(new BenchOptions { Scenarios = ["idle"] })).Name);
    }

    [Fact]
    public void A_running_app_is_one_configuration_that_the_bench_does_not_change()
    {
        var options = new BenchOptions { Gateways = [new Uri("http://127.0.0.1:8081")], Settings = new Dictionary<string, string> { ["a"] = "b" } };

        var configuration = Assert.Single(AppConfiguration.For(options));

        Assert.Equal(AppConfiguration.Running, configuration.Name);
        Assert.Equal(options.Scenarios, configuration.Scenarios);
        Assert.Empty(configuration.Settings);
    }
}

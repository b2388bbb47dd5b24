using System.CommandLine.Help;
using Chat.Bench;

namespace Chat.Tests.Unit;

/// <summary>The bench's command line (System.CommandLine): the same options and defaults as the record, and its errors.</summary>
public sealed class BenchCommandLineTests
{
    [Fact]
    public void No_arguments_give_the_records_defaults_and_the_raised_limits()
    {
        var options = BenchCommandLine.ParseOptions([]);
        var defaults = new BenchOptions();

        Assert.Equal(defaults.Scenarios, options.Scenarios);
        Assert.Equal(defaults.Baselines, options.Baselines);
        Assert.Equal(defaults.Clients, options.Clients);
        Assert.Equal(defaults.Messages, options.Messages);
        Assert.Equal(defaults.Repetitions, options.Repetitions);
        Assert.Equal(defaults.Warmup, options.Warmup);
        Assert.Equal(defaults.StallTimeout, options.StallTimeout);
        Assert.Equal(defaults.TraceRatio, options.TraceRatio);
        Assert.Equal(defaults.Out, options.Out);
        Assert.Empty(options.Gateways);
        Assert.Equal(BenchOptions.RaisedLimits, options.Settings);
    }

    [Fact]
    public void Old_options_keep_their_meaning()
    {
        var options = BenchCommandLine.ParseOptions(
        [
            "--scenarios", "talk,ROOMS", "--baseline", "none", "--clients", "0", "--messages", "7", "--warmup", "0",
            "--gateway", "http://127.0.0.1:1,http://127.0.0.1:2", "--gateway", "http://127.0.0.1:3", "--history", "http://127.0.0.1:4",
            "--trace-ratio", "3", "--via-proxy", "--label", "a run",
        ]);

        Assert.Equal(["talk", "rooms"], options.Scenarios);
        Assert.Empty(options.Baselines);
        Assert.Equal(1, options.Clients); // at least one, as before
        Assert.Equal(7, options.Messages);
        Assert.Equal(TimeSpan.Zero, options.Warmup);
        Assert.Equal([1, 2, 3], options.Gateways.Select(g => g.Port));
        Assert.Equal(4, options.History!.Port);
        Assert.Equal(1, options.TraceRatio); // clamped to a share
        Assert.True(options.ViaProxy);
        Assert.Equal("a run", options.Label);
    }

    [Fact]
    public void Set_overrides_a_raised_limit_and_adds_other_configuration()
    {
        var options = BenchCommandLine.ParseOptions(["--set", "Gateway:MaxPublishesInFlight=1", "--set", "Chat:GatewayReplicas=3"]);

        Assert.Equal("1", options.Settings["Gateway:MaxPublishesInFlight"]);
        Assert.Equal("3", options.Settings["Chat:GatewayReplicas"]);
        Assert.Equal(BenchOptions.RaisedLimits["Gateway:MessagesPerSecond"], options.Settings["Gateway:MessagesPerSecond"]);
    }

    [Theory]
    [InlineData("--scenario", "talk,nope", "unknown scenario: nope")]
    [InlineData("--clients", "-1", "--clients needs a whole number")]
    [InlineData("--clients", "many", "--clients needs a whole number, not many")]
    [InlineData("--set", "nothing", "--set needs KEY=VALUE")]
    [InlineData("--gateway", "not a url", "not an absolute URL")]
    public void A_bad_value_is_an_error_that_names_it(string option, string value, string message)
    {
        var result = BenchCommandLine.Parse([option, value]);

        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
        Assert.Throws<FormatException>(() => BenchCommandLine.ParseOptions([option, value]));
    }

    [Fact]
    public void An_unknown_option_is_an_error()
    {
        Assert.NotEmpty(BenchCommandLine.Parse(["--bogus"]).Errors);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void Help_is_generated_and_lists_every_option(string flag)
    {
        var result = BenchCommandLine.Parse([flag]);
        var output = new StringWriter();

        Assert.IsType<HelpAction>(result.Action);
        result.Invoke(new System.CommandLine.InvocationConfiguration { Output = output });

        foreach (var option in BenchCommandLine.Command.Options.Where(o => !o.Hidden))
        {
            Assert.Contains(option.Name, output.ToString(), StringComparison.Ordinal);
        }
    }
}

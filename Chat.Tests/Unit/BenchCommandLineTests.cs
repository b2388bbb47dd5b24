using System.CommandLine.Help;
using Chat.Bench;

namespace Chat.Tests.Unit;

/// <summary>The bench's command line (System.CommandLine): the same options and defaults as the record, and its errors.</summary>
public sealed class BenchCommandLineTests
{
    [Fact]
    public void No_arguments_give_the_records_defaults()
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
        Assert.Equal(defaults.Rate, options.Rate);
        Assert.Equal([25, 50, 75, 100], options.Sweep);
        Assert.Equal(2_000, options.ChatConnections);
        Assert.Equal(20, options.ChatRoomSize);
        Assert.Equal(1, options.ChatRate);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ChatDuration);
        Assert.Equal(["talk", "rooms", "talk-paced", "chat", "idle"], options.Scenarios);
        Assert.Empty(options.Settings); // the limits raised for the burst scenarios are the configuration's, not the command line's
    }

    [Fact]
    public void The_paced_options_set_the_rate_the_sweep_and_the_chat_scenario()
    {
        var options = BenchCommandLine.ParseOptions(
        [
            "--scenario", "talk-paced,chat", "--rate", "12.5", "--sweep", "50, 25,50", "--chat-connections", "200", "--chat-room-size", "10",
            "--chat-rate", "2", "--chat-duration", "20",
        ]);

        Assert.Equal(["talk-paced", "chat"], options.Scenarios);
        Assert.Equal(12.5, options.Rate);
        Assert.Equal([25, 50], options.Sweep); // lowest first, each load once
        Assert.Equal(200, options.ChatConnections);
        Assert.Equal(10, options.ChatRoomSize);
        Assert.Equal(2, options.ChatRate);
        Assert.Equal(TimeSpan.FromSeconds(20), options.ChatDuration);
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
    public void Set_is_repeatable_and_keeps_every_pair()
    {
        var options = BenchCommandLine.ParseOptions(["--set", "Gateway:MaxPublishesInFlight=1", "--set", "Chat:GatewayReplicas=3=x"]);

        Assert.Equal("1", options.Settings["Gateway:MaxPublishesInFlight"]);
        Assert.Equal("3=x", options.Settings["Chat:GatewayReplicas"]);
        Assert.Equal(2, options.Settings.Count);
    }

    [Theory]
    [InlineData("--scenario", "talk,nope", "unknown scenario: nope")]
    [InlineData("--clients", "-1", "--clients needs a whole number")]
    [InlineData("--clients", "many", "--clients needs a whole number, not many")]
    [InlineData("--set", "nothing", "--set needs KEY=VALUE")]
    [InlineData("--gateway", "not a url", "not an absolute URL")]
    [InlineData("--rate", "0", "--rate needs a number of messages a second above 0")]
    [InlineData("--chat-rate", "fast", "--chat-rate needs a number of messages a second above 0")]
    [InlineData("--sweep", "25,0", "--sweep needs whole numbers of clients above 0")]
    [InlineData("--sweep", "a,b", "--sweep needs whole numbers of clients above 0")]
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

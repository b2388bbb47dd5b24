using Chat.Gateway.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Chat.Tests.Unit;

public sealed class LogThrottleTests
{
    [Fact]
    public void One_entry_an_interval_is_let_through_with_the_count_of_those_left_out()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(TimeSpan.FromSeconds(1), time);

        Assert.True(throttle.ShouldLog(out var first));
        var alsoLogged = 0;
        for (var i = 0; i < 500; i++)
        {
            alsoLogged += throttle.ShouldLog(out _) ? 1 : 0;
        }

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.ShouldLog(out var second));

        Assert.Equal((0L, 0, 500L), (first, alsoLogged, second));
    }
}

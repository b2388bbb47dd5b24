using Chat.Gateway.Connections;

namespace Chat.Tests.Unit;

public sealed class InFlightWorkTests
{
    [Fact]
    public void Draining_with_nothing_in_flight_completes_at_once()
    {
        var work = new InFlightWork();

        Assert.True(work.DrainAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public void A_drain_waits_for_the_frame_being_handled_and_every_publish_it_started()
    {
        var work = new InFlightWork();
        Assert.True(work.TryBeginFrame());
        work.BeginPublish();
        work.BeginPublish();

        var drained = work.DrainAsync();
        work.End(); // the frame
        work.End(); // one publish answered
        Assert.False(drained.IsCompleted);

        work.End(); // the last publish answered
        Assert.True(drained.IsCompletedSuccessfully);
    }

    [Fact]
    public void Once_draining_no_new_frame_is_taken()
    {
        var work = new InFlightWork();
        _ = work.DrainAsync();

        Assert.False(work.TryBeginFrame());
        Assert.True(work.IsDraining);
    }
}

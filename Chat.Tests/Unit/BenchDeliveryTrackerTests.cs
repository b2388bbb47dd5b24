using System.Diagnostics;
using Chat.Bench.Workload;

namespace Chat.Tests.Unit;

/// <summary>What the bench's <see cref="DeliveryTracker"/> counts for one receiver: loss, duplicates and each sender's order.</summary>
public sealed class BenchDeliveryTrackerTests
{
    static readonly int[] Senders = [3, 7];

    [Fact]
    public void Each_senders_messages_in_order_are_not_reordered_however_senders_interleave()
    {
        var tracker = new DeliveryTracker(Senders, messagesPerSender: 3);

        Deliver(tracker, (7, 0), (3, 0), (3, 1), (7, 1), (7, 2), (3, 2));

        Assert.Equal(0, tracker.Reordered);
        Assert.True(tracker.IsComplete);
    }

    [Fact]
    public void A_message_that_arrives_after_a_later_one_of_its_sender_is_reordered()
    {
        var tracker = new DeliveryTracker(Senders, messagesPerSender: 4);

        // Sender 3: 0, 2, 1, 3: message 1 came after 2. Sender 7: 3 first, then 0, 1, 2: three came after 3.
        Deliver(tracker, (3, 0), (3, 2), (3, 1), (3, 3), (7, 3), (7, 0), (7, 1), (7, 2));

        Assert.Equal(4, tracker.Reordered);
        Assert.Equal(0, tracker.Duplicates);
        Assert.True(tracker.IsComplete);
    }

    [Fact]
    public void A_duplicate_counts_as_a_duplicate_and_not_as_reordered()
    {
        var tracker = new DeliveryTracker(Senders, messagesPerSender: 2);

        Deliver(tracker, (3, 0), (3, 1), (3, 0));

        Assert.Equal(1, tracker.Duplicates);
        Assert.Equal(0, tracker.Reordered);
        Assert.Equal(2, tracker.Unique);
    }

    [Fact]
    public void A_gap_is_loss_not_reordering()
    {
        var tracker = new DeliveryTracker(Senders, messagesPerSender: 3);

        Deliver(tracker, (3, 0), (3, 2), (7, 1));

        Assert.Equal(0, tracker.Reordered);
        Assert.Equal(3, tracker.Unique);
        Assert.False(tracker.IsComplete);
    }

    [Fact]
    public void A_round_with_reordered_deliveries_is_not_clean()
    {
        var round = new RoundResult { Target = "t", Scenario = "s", Latency = LatencySummary.Empty, ExpectedDeliveries = 4, Delivered = 4 };

        Assert.True(round.IsClean);
        Assert.False((round with { Reordered = 1 }).IsClean);
    }

    [Fact]
    public void Receivers_that_share_a_round_histogram_have_each_delivery_counted_once_in_the_summary()
    {
        var shared = new HdrHistogram.LongConcurrentHistogram(1, DeliveryTracker.HighestLatencyMicroseconds, 3);
        var plan = new WorkloadPlan("test", ["room", "room"], 2, 0, TimeSpan.FromSeconds(1), TimeSpan.Zero);
        DeliveryTracker[] trackers = [new([0, 1], 2, sharedLatencies: shared), new([0, 1], 2, sharedLatencies: shared)];
        foreach (var tracker in trackers)
        {
            Deliver(tracker, (0, 0), (0, 1), (1, 0), (1, 1));
        }

        var round = WorkloadRunner.Summarise("t", plan, 1, trackers, Stopwatch.GetTimestamp(), []);

        Assert.Equal(8, round.Latency.Count);
        Assert.Equal(8, round.Delivered);
    }

    static void Deliver(DeliveryTracker tracker, params (int Sender, int Sequence)[] messages)
    {
        foreach (var (sender, sequence) in messages)
        {
            tracker.OnMessage(new BenchPayload(sender, sequence, Stopwatch.GetTimestamp()));
        }
    }
}

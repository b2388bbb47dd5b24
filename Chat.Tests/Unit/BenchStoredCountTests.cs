using System.Collections.Concurrent;
using Chat.Bench.Workload;

namespace Chat.Tests.Unit;

/// <summary>How the bench counts what a target stored after a round: repeated while it grows, one settle for all rooms.</summary>
public sealed class BenchStoredCountTests
{
    [Fact]
    public async Task The_count_is_repeated_until_every_room_is_complete()
    {
        var target = new FakeTarget(room => 2, growBy: 1); // each room gains one stored message per count
        var plan = Plan(rooms: 3, membersPerRoom: 2, messages: 2, settle: TimeSpan.FromMinutes(5));

        var (stored, expected) = await StoredCount.CountAsync(target, plan, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(12, expected);
        Assert.Equal(12, stored);
    }

    [Fact]
    public async Task Rooms_that_never_complete_end_the_count_after_one_settle_for_the_whole_round()
    {
        var target = new FakeTarget(room => 1, growBy: 0); // every room stuck at 1 of its 4
        var plan = Plan(rooms: 50, membersPerRoom: 2, messages: 2, settle: TimeSpan.Zero);

        var (stored, expected) = await StoredCount.CountAsync(target, plan, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(200, expected);
        Assert.Equal(50, stored);
        Assert.All(target.Calls.Values, calls => Assert.True(calls <= 2, $"a room was counted {calls} times"));
    }

    [Fact]
    public async Task A_target_that_stores_nothing_has_no_count()
    {
        var plan = Plan(rooms: 2, membersPerRoom: 2, messages: 2, settle: TimeSpan.FromMinutes(5));

        var (stored, expected) = await StoredCount.CountAsync(new FakeTarget(null, 0), plan, TestContext.Current.CancellationToken);

        Assert.Null(stored);
        Assert.Null(expected);
    }

    static WorkloadPlan Plan(int rooms, int membersPerRoom, int messages, TimeSpan settle) =>
        new("test", [.. Enumerable.Range(0, rooms * membersPerRoom).Select(i => $"room-{i / membersPerRoom}")], messages, 0, TimeSpan.FromSeconds(10), settle);

    /// <summary>A store whose count per room starts at <c>initial</c> and grows by <c>growBy</c> with every count.</summary>
    sealed class FakeTarget(Func<string, long>? initial, long growBy) : IBenchTarget
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public string Name => "fake";

        public string Description => "fake";

        public Task<IBenchClient> ConnectAsync(int index, IBenchClientHandler handler, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long?> CountStoredAsync(string room, long expected, TimeSpan settle, CancellationToken cancellationToken)
        {
            var calls = Calls.AddOrUpdate(room, 1, (_, c) => c + 1);
            return Task.FromResult(initial is null ? null : (long?)Math.Min(expected, initial(room) + (calls - 1) * growBy));
        }
    }
}

namespace Chat.Tests.Unit;

public sealed class MessageIdTests
{
    sealed class FrozenClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Ids_made_in_the_same_millisecond_are_strictly_increasing()
    {
        var clock = new FrozenClock(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        var generator = new MessageIdGenerator(clock);

        var ids = Enumerable.Range(0, 20_000).Select(_ => generator.NewId()).ToList();

        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(ids[i - 1].CompareTo(ids[i]) < 0, $"id {i} is not greater than id {i - 1}");
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString(), ids[i].ToString()) < 0, "string order differs from id order");
        }
    }

    [Fact]
    public void Ids_stay_increasing_when_the_clock_goes_back()
    {
        var clock = new FrozenClock(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        var generator = new MessageIdGenerator(clock);
        var before = generator.NewId();
        clock.Now = clock.Now.AddSeconds(-5);

        Assert.True(generator.NewId().CompareTo(before) > 0);
    }

    [Fact]
    public void Ids_are_version_7_with_the_rfc_variant_and_carry_their_timestamp()
    {
        var now = DateTimeOffset.Parse("2026-11-25T10:00:00.123Z");
        var id = new MessageIdGenerator(new FrozenClock(now)).NewId();

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        Assert.Equal(now, MessageIds.GetTimestamp(id));
        Assert.True(MessageIds.TryParse(id.ToString(), out var parsed) && parsed == id);
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("3f2504e0-4f89-41d3-9a0c-0305e82c3301")] // a v4 UUID
    public void Only_uuid_v7_strings_parse_as_message_ids(string? value) => Assert.False(MessageIds.TryParse(value, out _));

    [Fact]
    public void Floor_is_below_every_id_of_its_millisecond_and_above_the_ones_before()
    {
        var now = DateTimeOffset.Parse("2026-11-25T10:00:00.500Z");
        var generator = new MessageIdGenerator(new FrozenClock(now));
        var earlier = new MessageIdGenerator(new FrozenClock(now.AddMilliseconds(-1))).NewId();
        var floor = MessageIds.Floor(now);

        Assert.True(floor.CompareTo(generator.NewId()) < 0);
        Assert.True(floor.CompareTo(earlier) > 0);
        Assert.Equal(7, floor.Version);
    }
}

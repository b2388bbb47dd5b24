using Chat.Gateway.Connections;

namespace Chat.Tests.Unit;

public sealed class UnconfirmedMessagesTests
{
    static ChatMessage Message(string room = "general", string text = "hello") =>
        new(Guid.CreateVersion7(), room, "alice", text, DateTimeOffset.UtcNow, "node-1");

    [Fact]
    public void A_held_message_is_taken_once_by_its_id_room_and_text()
    {
        var held = new UnconfirmedMessages(4);
        var message = Message();
        held.Add(message);

        Assert.Same(message, held.TryTake(message.Id, "general", "hello"));
        Assert.Null(held.TryTake(message.Id, "general", "hello")); // a second retry of the same id is a message of its own
        Assert.Equal(0, held.Count);
    }

    [Theory]
    [InlineData("other", "hello")]
    [InlineData("general", "hello!")]
    [InlineData("General", "hello")]
    public void A_retry_with_another_room_or_text_does_not_take_the_held_message(string room, string text)
    {
        var held = new UnconfirmedMessages(4);
        var message = Message();
        held.Add(message);

        Assert.Null(held.TryTake(message.Id, room, text));
        Assert.Same(message, held.TryTake(message.Id, "general", "hello")); // still held for the real retry
    }

    [Fact]
    public void An_id_never_held_is_not_taken()
    {
        var held = new UnconfirmedMessages(4);
        held.Add(Message());

        Assert.Null(held.TryTake(Guid.CreateVersion7(), "general", "hello"));
        Assert.Equal(1, held.Count);
    }

    [Fact]
    public void When_full_the_oldest_is_forgotten()
    {
        var held = new UnconfirmedMessages(3);
        var messages = Enumerable.Range(0, 5).Select(i => Message(text: $"m{i}")).ToList();
        foreach (var message in messages)
        {
            held.Add(message);
        }

        Assert.Equal(3, held.Count);
        Assert.Null(held.TryTake(messages[0].Id, "general", "m0"));
        Assert.Null(held.TryTake(messages[1].Id, "general", "m1"));
        Assert.All(messages.Skip(2), m => Assert.Same(m, held.TryTake(m.Id, m.Room, m.Text)));
    }

    [Fact]
    public void A_message_unavailable_again_is_held_once_as_the_newest()
    {
        var held = new UnconfirmedMessages(2);
        var (first, second, third) = (Message(text: "1"), Message(text: "2"), Message(text: "3"));
        held.Add(first);
        held.Add(second);
        held.Add(first); // its retry was not confirmed either: now the newest
        held.Add(third);

        Assert.Equal(2, held.Count);
        Assert.Null(held.TryTake(second.Id, "general", "2"));
        Assert.Same(first, held.TryTake(first.Id, "general", "1"));
    }

    [Fact]
    public void Adds_and_takes_from_several_threads_lose_nothing()
    {
        var held = new UnconfirmedMessages(10_000);
        var messages = Enumerable.Range(0, 4_000).Select(i => Message(text: $"m{i}")).ToArray();
        Parallel.ForEach(messages, held.Add);
        var taken = 0;
        Parallel.ForEach(messages, m =>
        {
            if (held.TryTake(m.Id, m.Room, m.Text) is not null)
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(messages.Length, taken);
        Assert.Equal(0, held.Count);
    }

    [Fact]
    public void A_capacity_below_one_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new UnconfirmedMessages(0));
}

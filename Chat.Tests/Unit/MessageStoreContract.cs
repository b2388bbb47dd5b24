using Chat.History.Storage;

namespace Chat.Tests.Unit;

/// <summary>
/// What every <see cref="IMessageStore"/> must do. An implementation's tests derive from this class and say how to
/// make a fresh, empty store; a PostgreSQL store would pass the very same tests.
/// </summary>
public abstract class MessageStoreContract : IAsyncLifetime
{
    readonly MessageIdGenerator _ids = new();
    IMessageStore _store = null!;

    protected abstract Task<IMessageStore> CreateStoreAsync();

    public async ValueTask InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.InitializeAsync(TestContext.Current.CancellationToken);
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    List<ChatMessage> Messages(string room, int count) =>
        Enumerable.Range(0, count).Select(i => new ChatMessage(_ids.NewId(), room, "alice", $"m{i}", DateTimeOffset.UtcNow)).ToList();

    async Task<List<ChatMessage>> StoreAsync(string room, int count)
    {
        var messages = Messages(room, count);
        Assert.Equal(count, await _store.AddAsync(messages, Ct));
        return messages;
    }

    [Fact]
    public async Task An_empty_room_has_no_messages()
    {
        Assert.Empty(await _store.GetAsync("empty", new MessageQuery(50), Ct));
        Assert.Empty(await _store.GetAsync("empty", new MessageQuery(50, After: _ids.NewId()), Ct));
    }

    [Fact]
    public async Task A_message_is_stored_with_every_field()
    {
        var message = new ChatMessage(_ids.NewId(), "fields", "alice", "héllo 😀 <b>", DateTimeOffset.Parse("2026-11-25T10:00:00.123Z"));
        await _store.AddAsync([message], Ct);

        var stored = Assert.Single(await _store.GetAsync("fields", new MessageQuery(50), Ct));
        Assert.Equal(MessageView.From(message), stored);
    }

    [Fact]
    public async Task Adding_a_stored_id_again_is_a_no_op()
    {
        var messages = await StoreAsync("dupes", 3);

        Assert.Equal(0, await _store.AddAsync(messages, Ct));
        Assert.Equal(1, await _store.AddAsync([.. messages, .. Messages("dupes", 1)], Ct));
        Assert.Equal(4, (await _store.GetAsync("dupes", new MessageQuery(500), Ct)).Count);
    }

    [Fact]
    public async Task The_newest_page_is_returned_in_ascending_order()
    {
        var messages = await StoreAsync("latest", 80);

        var page = await _store.GetAsync("latest", new MessageQuery(50), Ct);

        Assert.Equal(messages.TakeLast(50).Select(m => m.Id), page.Select(m => m.Id));
    }

    [Fact]
    public async Task A_limit_equal_to_the_count_returns_everything()
    {
        var messages = await StoreAsync("exact", 50);

        Assert.Equal(messages.Select(m => m.Id), (await _store.GetAsync("exact", new MessageQuery(50), Ct)).Select(m => m.Id));
        Assert.Equal(messages.Skip(10).Select(m => m.Id),
            (await _store.GetAsync("exact", new MessageQuery(40, After: messages[9].Id), Ct)).Select(m => m.Id));
    }

    [Fact]
    public async Task After_returns_the_oldest_messages_after_the_id()
    {
        var messages = await StoreAsync("after", 30);

        var page = await _store.GetAsync("after", new MessageQuery(10, After: messages[4].Id), Ct);

        Assert.Equal(messages.Skip(5).Take(10).Select(m => m.Id), page.Select(m => m.Id));
    }

    [Fact]
    public async Task Before_returns_the_newest_messages_before_the_id_ascending()
    {
        var messages = await StoreAsync("before", 30);

        var page = await _store.GetAsync("before", new MessageQuery(10, Before: messages[20].Id), Ct);

        Assert.Equal(messages.Skip(10).Take(10).Select(m => m.Id), page.Select(m => m.Id));
    }

    [Fact]
    public async Task Before_the_first_and_after_the_last_are_empty()
    {
        var messages = await StoreAsync("edges", 5);

        Assert.Empty(await _store.GetAsync("edges", new MessageQuery(50, Before: messages[0].Id), Ct));
        Assert.Empty(await _store.GetAsync("edges", new MessageQuery(50, After: messages[^1].Id), Ct));
    }

    [Fact]
    public async Task An_unknown_id_is_a_position_in_time_not_an_error()
    {
        var early = _ids.NewId();
        var messages = await StoreAsync("unknown", 5);
        var late = _ids.NewId();

        Assert.Equal(5, (await _store.GetAsync("unknown", new MessageQuery(50, After: early), Ct)).Count);
        Assert.Equal(5, (await _store.GetAsync("unknown", new MessageQuery(50, Before: late), Ct)).Count);
        Assert.Empty(await _store.GetAsync("unknown", new MessageQuery(50, After: late), Ct));
        Assert.Equal(messages[0].Id, (await _store.GetAsync("unknown", new MessageQuery(1, After: early), Ct))[0].Id);
    }

    [Fact]
    public async Task Both_bounds_return_the_oldest_messages_between_them()
    {
        var messages = await StoreAsync("between", 20);

        var page = await _store.GetAsync("between", new MessageQuery(5, Before: messages[15].Id, After: messages[2].Id), Ct);

        Assert.Equal(messages.Skip(3).Take(5).Select(m => m.Id), page.Select(m => m.Id));
    }

    [Fact]
    public async Task Rooms_are_separate_and_case_sensitive()
    {
        await StoreAsync("Room", 3);
        await StoreAsync("room", 2);

        Assert.Equal(3, (await _store.GetAsync("Room", new MessageQuery(50), Ct)).Count);
        Assert.Equal(2, (await _store.GetAsync("room", new MessageQuery(50), Ct)).Count);
    }

    [Fact]
    public async Task A_large_batch_is_added_in_one_call_and_paged_through_completely()
    {
        var messages = await StoreAsync("large", 1_234);

        var seen = new List<Guid>();
        var after = MessageIds.Floor(DateTimeOffset.UnixEpoch);
        while (true)
        {
            var page = await _store.GetAsync("large", new MessageQuery(500, After: after), Ct);
            seen.AddRange(page.Select(m => m.Id));
            if (page.Count < 500)
            {
                break;
            }

            after = page[^1].Id;
        }

        Assert.Equal(messages.Select(m => m.Id), seen);
    }
}

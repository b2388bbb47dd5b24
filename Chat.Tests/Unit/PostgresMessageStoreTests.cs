using Chat.History.Storage;
using Chat.Tests.Infrastructure;
using Npgsql;

namespace Chat.Tests.Unit;

/// <summary>The store contract against a real PostgreSQL server (one per class), each test on a schema of its own.</summary>
public sealed class PostgresMessageStoreTests(PostgresServer server) : MessageStoreContract, IClassFixture<PostgresServer>
{
    readonly string _schema = "test_" + Guid.NewGuid().ToString("N");
    NpgsqlDataSource? _dataSource;

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("No store yet.");

    protected override async Task<IMessageStore> CreateStoreAsync()
    {
        _dataSource = await server.CreateSchemaAsync(_schema, Ct);
        return new PostgresMessageStore(_dataSource);
    }

    [Fact]
    public async Task Initializing_again_keeps_the_messages_and_instances_starting_together_do_not_collide()
    {
        var id = new MessageIdGenerator().NewId();
        await new PostgresMessageStore(DataSource).AddAsync([new ChatMessage(id, "kept", "alice", "hi", DateTimeOffset.UtcNow)], Ct);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new PostgresMessageStore(DataSource).InitializeAsync(Ct)));

        Assert.Equal(id, Assert.Single(await new PostgresMessageStore(DataSource).GetAsync("kept", new MessageQuery(50), Ct)).Id);
    }

    [Fact]
    public async Task Uuid_order_in_postgres_is_the_time_order_of_the_ids()
    {
        // Timestamps that differ in each byte of the millisecond field (up to the year 9999), two ids in each millisecond.
        var clock = new SettableClock();
        var ids = new MessageIdGenerator(clock);
        var messages = new List<ChatMessage>();
        foreach (var ms in new long[] { 1, 255, 256, 65_535, 65_536, 1L << 24, 1L << 32, 1L << 40, 1_764_000_000_000, 253_402_300_799_998 })
        {
            clock.Now = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            messages.Add(new ChatMessage(ids.NewId(), "order", "alice", $"{ms}", DateTimeOffset.UtcNow));
            messages.Add(new ChatMessage(ids.NewId(), "order", "alice", $"{ms}+", DateTimeOffset.UtcNow));
        }

        var store = new PostgresMessageStore(DataSource);
        await store.AddAsync([.. messages.AsEnumerable().Reverse()], Ct);

        var stored = await store.GetAsync("order", new MessageQuery(500, After: Guid.Empty), Ct);
        Assert.Equal(messages.Select(m => m.Text), stored.Select(m => m.Text));
        Assert.Equal(messages.Select(m => m.Id.ToString()).Order(StringComparer.Ordinal), stored.Select(m => m.Id.ToString()));
    }

    [Fact]
    public async Task A_batch_with_the_same_id_twice_stores_it_once()
    {
        var message = new ChatMessage(new MessageIdGenerator().NewId(), "twice", "alice", "once", DateTimeOffset.UtcNow);

        Assert.Equal(1, await new PostgresMessageStore(DataSource).AddAsync([message, message], Ct));
    }

    [Theory]
    [InlineData("id > $2 ORDER BY id ASC", "Index Scan using ix_messages_room_id")]
    [InlineData("id < $2 ORDER BY id DESC", "Index Scan Backward using ix_messages_room_id")]
    public async Task Pages_are_read_from_the_room_id_index_without_a_sort(string condition, string expected)
    {
        // 50,000 messages in 500 rooms, and one room of 250 spread among them, analysed, with a bound in its middle:
        // neither the primary key (filtering out 99 % of what it reads) nor sorting the whole room is the cheap way.
        var ids = new MessageIdGenerator();
        var store = new PostgresMessageStore(DataSource);
        var middle = Guid.Empty;
        for (var batch = 0; batch < 25; batch++)
        {
            var messages = Enumerable.Range(0, 2_000).Select(i => new ChatMessage(ids.NewId(), i % 200 == 0 ? "quiet" : $"room{i % 500}", "alice", "text", DateTimeOffset.UtcNow)).ToList();
            await store.AddAsync(messages, Ct);
            middle = batch == 12 ? messages[0].Id : middle;
        }

        await using var connection = await DataSource.OpenConnectionAsync(Ct);
        await using (var analyze = new NpgsqlCommand("ANALYZE messages", connection))
        {
            await analyze.ExecuteNonQueryAsync(Ct);
        }

        // The statement as the store sends it, planned for parameters as a prepared statement is.
        await using var prepare = new NpgsqlCommand($"PREPARE page(text, uuid) AS SELECT id, room, user_name, text, sent_at FROM messages WHERE room = $1 AND {condition} LIMIT 50", connection);
        await prepare.ExecuteNonQueryAsync(Ct);
        await using var explain = new NpgsqlCommand($"EXPLAIN EXECUTE page('quiet', '{middle}')", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, step => step.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("Sort", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_that_does_not_wait_for_commits_is_refused_at_start()
    {
        await using var careless = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(DataSource.ConnectionString)
        {
            Password = new NpgsqlConnectionStringBuilder(server.ConnectionString).Password,
            Options = "-c synchronous_commit=off",
        }.ToString());

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => new PostgresMessageStore(careless).InitializeAsync(Ct));
        Assert.Contains("synchronous_commit", refused.Message, StringComparison.Ordinal);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await using (var drop = _dataSource.CreateCommand($"DROP SCHEMA \"{_schema}\" CASCADE"))
            {
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }

            await _dataSource.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

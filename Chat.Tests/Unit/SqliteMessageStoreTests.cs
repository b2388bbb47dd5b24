using Chat.History.Storage;
using Microsoft.Data.Sqlite;

namespace Chat.Tests.Unit;

/// <summary>The store contract against a real SQLite file.</summary>
public sealed class SqliteMessageStoreTests : MessageStoreContract
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "chat-tests", "sqlite-" + Guid.NewGuid().ToString("N"));

    protected override Task<IMessageStore> CreateStoreAsync() =>
        Task.FromResult<IMessageStore>(new SqliteMessageStore(Path.Combine(_directory, "history.db")));

    [Fact]
    public async Task The_file_is_in_wal_mode_and_pages_use_the_room_id_index()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "history.db")}");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));

        command.CommandText = "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE room = 'r' AND id > x'00' ORDER BY id LIMIT 50";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var plan = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, step => step.Contains("ix_messages_room_id", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    public override async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        await base.DisposeAsync();
    }
}

using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Chat.History.Storage;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. Ids are stored as their 16 big-endian bytes, whose
/// byte order is the time order of UUIDv7, so <c>(room, id)</c> serves every page with one index range scan.
/// Commits are <c>synchronous=FULL</c>: the broker is acknowledged only after a commit, so a commit must survive.
/// </summary>
public sealed class SqliteMessageStore : IMessageStore
{
    readonly string _connectionString;

    public SqliteMessageStore(IOptions<HistoryOptions> options, IHostEnvironment environment)
        : this(Path.GetFullPath(options.Value.DatabasePath, environment.ContentRootPath))
    {
    }

    public SqliteMessageStore(string databasePath)
    {
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public string DbSystemName => "sqlite";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS messages (
                id        BLOB    NOT NULL PRIMARY KEY,  -- UUIDv7, big-endian: byte order is time order
                room      TEXT    NOT NULL,
                user_name TEXT    NOT NULL,
                text      TEXT    NOT NULL,
                sent_at   INTEGER NOT NULL,              -- Unix milliseconds, UTC
                stored_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ix_messages_room_id ON messages (room, id);
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> AddAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO messages (id, room, user_name, text, sent_at, stored_at)
            VALUES ($id, $room, $user, $text, $sentAt, $storedAt)
            ON CONFLICT (id) DO NOTHING
            """;
        var id = command.Parameters.Add("$id", SqliteType.Blob);
        var room = command.Parameters.Add("$room", SqliteType.Text);
        var user = command.Parameters.Add("$user", SqliteType.Text);
        var text = command.Parameters.Add("$text", SqliteType.Text);
        var sentAt = command.Parameters.Add("$sentAt", SqliteType.Integer);
        var storedAt = command.Parameters.Add("$storedAt", SqliteType.Integer);
        storedAt.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await command.PrepareAsync(cancellationToken);

        var inserted = 0;
        foreach (var message in messages)
        {
            id.Value = message.Id.ToByteArray(bigEndian: true);
            room.Value = message.Room;
            user.Value = message.User;
            text.Value = message.Text;
            sentAt.Value = message.SentAt.ToUnixTimeMilliseconds();
            inserted += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    public async Task<IReadOnlyList<MessageView>> GetAsync(string room, MessageQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var newestFirst = query.After is null;
        command.CommandText = $"""
            SELECT id, room, user_name, text, sent_at FROM messages
            WHERE room = $room
            {(query.After is null ? "" : "AND id > $after")}
            {(query.Before is null ? "" : "AND id < $before")}
            ORDER BY id {(newestFirst ? "DESC" : "ASC")}
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$room", room);
        command.Parameters.AddWithValue("$limit", query.Limit);
        if (query.After is { } after)
        {
            command.Parameters.AddWithValue("$after", after.ToByteArray(bigEndian: true));
        }

        if (query.Before is { } before)
        {
            command.Parameters.AddWithValue("$before", before.ToByteArray(bigEndian: true));
        }

        var messages = new List<MessageView>(Math.Min(query.Limit, 512));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                messages.Add(new MessageView(
                    new Guid(reader.GetFieldValue<byte[]>(0), bigEndian: true),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }
        }

        if (newestFirst)
        {
            messages.Reverse();
        }

        return messages;
    }

    async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = FULL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}

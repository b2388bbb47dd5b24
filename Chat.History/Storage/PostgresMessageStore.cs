using Npgsql;
using NpgsqlTypes;

namespace Chat.History.Storage;

/// <summary>
/// The store for more than one history instance: PostgreSQL through Aspire's <see cref="NpgsqlDataSource"/>. A <c>uuid</c>
/// compares in UUIDv7 time order, so <c>(room, id)</c> serves every page with one range scan; a batch is one
/// <c>INSERT … unnest(…)</c>, and the primary key decides which insert of an id wins.
/// </summary>
public sealed class PostgresMessageStore(NpgsqlDataSource dataSource) : IMessageStore
{
    /// <summary>The connection string's name, as the AppHost references the database.</summary>
    public const string ConnectionName = "history-db";

    /// <summary>Serialises schema creation of instances starting together (a concurrent CREATE … IF NOT EXISTS can fail).</summary>
    const long SchemaLockKey = 0x63_68_61_74_68_69_73; // "chathis"

    public string DbSystemName => "postgresql";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock({SchemaLockKey});
            CREATE TABLE IF NOT EXISTS messages (
                id        uuid        NOT NULL PRIMARY KEY,  -- UUIDv7: byte order is time order
                room      text        COLLATE "C" NOT NULL,  -- case-sensitive, compared byte by byte
                user_name text        NOT NULL,
                text      text        NOT NULL,
                sent_at   timestamptz NOT NULL,
                stored_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX IF NOT EXISTS ix_messages_room_id ON messages (room, id);
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // History acknowledges to the broker after a commit: a commit that may still be lost would lose acknowledged messages.
        await using var setting = new NpgsqlCommand("SELECT current_setting('synchronous_commit')", connection);
        if (await setting.ExecuteScalarAsync(cancellationToken) is "off")
        {
            throw new InvalidOperationException("PostgreSQL runs with synchronous_commit=off for history's connections; history needs it on (a commit it acknowledged could be lost).");
        }
    }

    public async Task<int> AddAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        var ids = new Guid[messages.Count];
        var rooms = new string[messages.Count];
        var users = new string[messages.Count];
        var texts = new string[messages.Count];
        var sentAt = new DateTime[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            (ids[i], rooms[i], users[i], texts[i], sentAt[i]) = (message.Id, message.Room, message.User, message.Text, message.SentAt.UtcDateTime);
        }

        // One statement is one transaction: all of the batch or none of it. A conflict (a redelivery, or the same
        // message taken by another instance) inserts nothing, so the row count is how many were new.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO messages (id, room, user_name, text, sent_at)
            SELECT * FROM unnest($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, TypedValue = ids });
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = rooms });
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = users });
        command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = texts });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = sentAt });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<MessageView>> GetAsync(string room, MessageQuery query, CancellationToken cancellationToken)
    {
        var newestFirst = query.After is null;
        await using var command = dataSource.CreateCommand();
        command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = room });
        command.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = query.Limit });
        var bounds = "";
        if (query.After is { } after)
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid, TypedValue = after });
            bounds += $" AND id > ${command.Parameters.Count}";
        }

        if (query.Before is { } before)
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid, TypedValue = before });
            bounds += $" AND id < ${command.Parameters.Count}";
        }

        command.CommandText = $"""
            SELECT id, room, user_name, text, sent_at FROM messages
            WHERE room = $1{bounds}
            ORDER BY id {(newestFirst ? "DESC" : "ASC")}
            LIMIT $2
            """;

        var messages = new List<MessageView>(Math.Min(query.Limit, 512));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                messages.Add(new MessageView(
                    reader.GetGuid(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }

        if (newestFirst)
        {
            messages.Reverse();
        }

        return messages;
    }
}

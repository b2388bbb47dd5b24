namespace Chat.AppHost.Database;

/// <summary>Where history keeps its messages (configuration <c>Chat:HistoryStore</c>).</summary>
enum HistoryStore
{
    /// <summary>One SQLite file in the data directory: one history instance.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database: any number of history instances (<c>Chat:HistoryReplicas</c>).</summary>
    Postgres,
}

namespace Chat.History.Storage;

/// <summary>Which <see cref="IMessageStore"/> history uses (configuration <c>History:Store</c>).</summary>
public enum MessageStoreKind
{
    /// <summary>One SQLite file beside the service: no server, one history instance.</summary>
    Sqlite,

    /// <summary>PostgreSQL through the connection string <c>history-db</c>: any number of history instances.</summary>
    Postgres,
}

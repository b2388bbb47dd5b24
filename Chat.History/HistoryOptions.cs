using System.ComponentModel.DataAnnotations;
using Chat.History.Storage;

namespace Chat.History;

/// <summary>The history service's settings, section <c>History</c>.</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "History";

    /// <summary>The store: <c>sqlite</c> (the file at <see cref="DatabasePath"/>) or <c>postgres</c> (connection string <c>history-db</c>).</summary>
    public MessageStoreKind Store { get; set; } = MessageStoreKind.Sqlite;

    /// <summary>The SQLite file; relative paths are under the content root. The AppHost points it at its data directory.</summary>
    [Required]
    public string DatabasePath { get; set; } = ".data/history.db";

    /// <summary>The most messages one transaction inserts.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>
    /// How long a batch that is not full waits for more before it is committed: fewer commits (each an fsync) at a steady
    /// low rate, for this much more lag until a message is stored (clients see it live meanwhile).
    /// </summary>
    public TimeSpan CommitDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Messages consumed at once; they wait together for a group commit, so this bounds the batch that can form.</summary>
    [Range(1, 10_000)]
    public int ConcurrentMessageLimit { get; set; } = 500;
}

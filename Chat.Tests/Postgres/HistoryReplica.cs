namespace Chat.Tests.Postgres;

/// <summary>One history replica: its resource id (for commands), direct address (behind the proxy) and the process id of the service itself.</summary>
public sealed record HistoryReplica(string ResourceId, Uri Address, int ProcessId);

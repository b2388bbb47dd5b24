namespace Chat.History.Storage;

/// <summary>
/// One page of a room. <see cref="After"/>: the oldest messages after that id. Otherwise the newest messages
/// (before <see cref="Before"/> when given). Both bounds together: the oldest messages between them. Always ascending.
/// </summary>
public sealed record MessageQuery(int Limit, Guid? Before = null, Guid? After = null);

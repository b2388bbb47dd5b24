namespace Chat.History.Storage;

/// <summary>
/// Where messages are kept. The contract every implementation passes (see Chat.Tests' store contract tests):
/// the message id is the key and adding an id that is there already is a no-op; a batch is added in one
/// transaction; pages come back in ascending order of id.
/// </summary>
public interface IMessageStore
{
    /// <summary>The database as OpenTelemetry's conventions name it (<c>db.system.name</c>): <c>sqlite</c>, <c>postgresql</c>.</summary>
    string DbSystemName { get; }

    /// <summary>Creates the schema when it is missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Adds the messages in one transaction, ignoring ids already stored; returns how many were new.</summary>
    Task<int> AddAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken);

    /// <summary>One page of a room, ascending by id.</summary>
    Task<IReadOnlyList<MessageView>> GetAsync(string room, MessageQuery query, CancellationToken cancellationToken);
}

namespace Chat.Gateway.Connections;

/// <summary>
/// A connection's last <see cref="Capacity"/> messages answered <c>unavailable</c>, so a retry naming one (<c>retryOf</c>)
/// goes out under the same id and accept time: the room gets it once, whether the first publish arrived late or never.
/// Thread-safe (the receive loop and publish completions).
/// </summary>
public sealed class UnconfirmedMessages(int capacity)
{
    readonly Lock _gate = new();
    readonly OrderedDictionary<Guid, ChatMessage> _messages = new(capacity);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>Keeps <paramref name="message"/>, forgetting the oldest one when full.</summary>
    public void Add(ChatMessage message)
    {
        lock (_gate)
        {
            _messages.Remove(message.Id);
            if (_messages.Count == Capacity)
            {
                _messages.RemoveAt(0);
            }

            _messages.Add(message.Id, message);
        }
    }

    /// <summary>
    /// Takes the message <paramref name="id"/> if it is held and is the same message (room and text): a retry with
    /// other words is a message of its own. <see langword="null"/> when not held (never answered <c>unavailable</c>,
    /// already retried, forgotten, or sent on another connection).
    /// </summary>
    public ChatMessage? TryTake(Guid id, string room, string text)
    {
        lock (_gate)
        {
            if (_messages.TryGetValue(id, out var message) && message.Room == room && message.Text == text)
            {
                _messages.Remove(id);
                return message;
            }

            return null;
        }
    }
}

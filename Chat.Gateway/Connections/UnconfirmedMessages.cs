namespace Chat.Gateway.Connections;

/// <summary>
/// The messages of one connection that were answered <c>unavailable</c>, kept so that a retry naming one of them
/// (<c>retryOf</c>) is published under the same id and accept time. The broker may have taken the first publish after
/// its timeout; with the same id, history stores the message once and gateways hand it out once, whichever of the two
/// publishes arrives. Holds the newest <see cref="Capacity"/>; safe to use from the receive loop and from publish
/// completions at once.
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

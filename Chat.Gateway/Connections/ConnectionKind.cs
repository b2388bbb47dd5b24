namespace Chat.Gateway.Connections;

/// <summary>Which endpoint a connection came through, and so which frames it speaks.</summary>
public enum ConnectionKind
{
    /// <summary><c>/ws</c>: the JSON protocol.</summary>
    Json,

    /// <summary><c>/websocket</c>: the 2013 talk's plain-text client.</summary>
    PlainText,
}

namespace Chat.History.Messaging;

/// <summary>An event that breaks the shared rules: it is never retried and goes to the error queue.</summary>
public sealed class InvalidChatMessageException(string message) : Exception(message);

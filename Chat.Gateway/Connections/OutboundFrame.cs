namespace Chat.Gateway.Connections;

/// <summary>
/// One text frame waiting to be written. The bytes are shared by every recipient of the same message;
/// <see cref="AcceptedAt"/> is set for chat messages so the send loop can measure delivery latency.
/// </summary>
public readonly record struct OutboundFrame(ReadOnlyMemory<byte> Utf8, DateTimeOffset? AcceptedAt = null);

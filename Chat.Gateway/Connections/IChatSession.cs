namespace Chat.Gateway.Connections;

/// <summary>The protocol spoken over one <see cref="ChatConnection"/>. Frames come from its receive loop, one at a time.</summary>
public interface IChatSession
{
    /// <summary>Right after the upgrade.</summary>
    ValueTask OnOpenedAsync(CancellationToken cancellationToken);

    /// <summary>One complete text frame (at most the frame size limit); ignored once the session drains.</summary>
    ValueTask OnTextFrameAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken);

    /// <summary>One complete binary frame, which the protocol does not support.</summary>
    ValueTask OnBinaryFrameAsync(CancellationToken cancellationToken);

    /// <summary>Takes no more frames; completes once the frame being handled and every publish in flight are answered.</summary>
    Task DrainAsync();

    /// <summary>After both loops ended and the session drained: release rooms and whatever else the session holds.</summary>
    void OnClosed();
}

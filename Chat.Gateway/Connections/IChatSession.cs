namespace Chat.Gateway.Connections;

/// <summary>The protocol spoken over one <see cref="ChatConnection"/>. Called by its receive loop only, one frame at a time.</summary>
public interface IChatSession
{
    /// <summary>Right after the upgrade.</summary>
    ValueTask OnOpenedAsync(CancellationToken cancellationToken);

    /// <summary>One complete text frame (at most the frame size limit).</summary>
    ValueTask OnTextFrameAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken);

    /// <summary>One complete binary frame, which the protocol does not support.</summary>
    ValueTask OnBinaryFrameAsync(CancellationToken cancellationToken);

    /// <summary>After both loops ended and every publish in flight was answered: release rooms and whatever else the session holds.</summary>
    void OnClosed();
}

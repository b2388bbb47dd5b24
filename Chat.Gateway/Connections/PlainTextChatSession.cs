using System.Text;
using Chat.Gateway.Protocol;

namespace Chat.Gateway.Connections;

/// <summary>
/// The 2013 talk's client on <c>/websocket</c>, unchanged: every text frame is a message to <c>lobby</c>, answered
/// <c>recv: &lt;text&gt;</c>; every lobby message arrives as <c>&lt;user&gt;: &lt;text&gt;</c>; a broken rule is
/// answered <c>error: &lt;code&gt;</c> and nothing is published.
/// </summary>
public sealed class PlainTextChatSession(ChatConnection connection, ChatSessionServices services) : ChatSession(connection, services)
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override ValueTask OnOpenedAsync(CancellationToken cancellationToken)
    {
        Services.Rooms.Subscribe(Rooms, ChatRules.DefaultRoom);
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnBinaryFrameAsync(CancellationToken cancellationToken)
    {
        Error(ErrorCodes.UnsupportedFrame);
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask HandleTextFrameAsync(ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(utf8.Span);
        }
        catch (DecoderFallbackException)
        {
            Error(ErrorCodes.InvalidText);
            return;
        }

        if (ChatRules.ValidateText(text) is not null)
        {
            Error(ErrorCodes.InvalidText);
            return;
        }

        if (!TryAcquireSendPermit())
        {
            Error(ErrorCodes.RateLimited);
            return;
        }

        // Answered by OnPublished, as the broker confirms: answers may come in another order than the frames.
        await StartPublishAsync(ChatRules.DefaultRoom, text, reference: null, cancellationToken);
    }

    protected override void OnPublished(ChatMessage message, bool confirmed, string? reference)
    {
        if (!confirmed)
        {
            Error(ErrorCodes.Unavailable);
            return;
        }

        SendLine($"recv: {message.Text}");
    }

    void Error(string code)
    {
        Reject(code);
        SendLine($"error: {code}");
    }

    void SendLine(string line) => Connection.TrySend(new OutboundFrame(Encoding.UTF8.GetBytes(line)));
}

using MassTransit;

namespace Chat.Gateway.Messaging;

/// <summary>
/// The error pipe of the gateway's endpoints: logs a message nobody can read (a forged or broken event) and drops it,
/// instead of keeping it in an error queue per instance or publishing a fault event.
/// </summary>
public sealed partial class DropFaultedMessageFilter(ILogger logger) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        Log.Dropped(logger, context.TransportHeaders.Get<string>("MessageId") ?? context.GetMessageId()?.ToString(),
            context.InputAddress.AbsolutePath.TrimStart('/'), context.Exception.GetBaseException().Message);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("dropFaulted");

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Dropped message {MessageId} from {Queue}: {Reason}")]
        public static partial void Dropped(ILogger logger, string? messageId, string queue, string reason);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chat.History.Diagnostics;

/// <summary>The history service's activity source and instruments (both named <c>Chat.History</c>).</summary>
public sealed class HistoryTelemetry : IDisposable
{
    public const string Name = "Chat.History";

    /// <summary>The span of storing one consumed message: from handing it to the writer until its batch committed.</summary>
    public const string StoreActivityName = "history store";

    /// <summary>The span of the commit that stored one message (database conventions: operation and table).</summary>
    public const string InsertActivityName = "INSERT messages";

    public const string MessageIdAttribute = "messaging.message.id";
    public const string RoomAttribute = "chat.room";

    public static readonly ActivitySource Source = new(Name);

    readonly Meter _meter;

    public HistoryTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        MessagesStored = _meter.CreateCounter<long>("chat.history.messages.stored", "{message}", "Messages inserted (first delivery).");
        MessagesDuplicate = _meter.CreateCounter<long>("chat.history.messages.duplicate", "{message}", "Redelivered messages that were already stored (no-ops).");
        MessagesRedelivered = _meter.CreateCounter<long>("chat.history.messages.redelivered", "{message}", "Messages the broker delivered again (the instance that had them died or lost its connection), committed.");
        MessagesInvalid = _meter.CreateCounter<long>("chat.history.messages.invalid", "{message}", "Events refused as invalid and moved to the error queue.");
        InsertDuration = _meter.CreateHistogram("chat.history.insert.duration", "s", "Time to insert and commit one batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        BatchSize = _meter.CreateHistogram<int>("chat.history.batch.size", "{message}", "Messages per committed batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500] });
        Lag = _meter.CreateHistogram("chat.history.lag", "s", "Time from the gateway's accept to the commit that stored the message.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300] });
    }

    public Counter<long> MessagesStored { get; }
    public Counter<long> MessagesDuplicate { get; }
    public Counter<long> MessagesRedelivered { get; }
    public Counter<long> MessagesInvalid { get; }
    public Histogram<double> InsertDuration { get; }
    public Histogram<int> BatchSize { get; }
    public Histogram<double> Lag { get; }

    public void Dispose() => _meter.Dispose();
}

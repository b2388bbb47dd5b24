using System.Diagnostics;
using System.Threading.Channels;
using Chat.History.Diagnostics;
using Microsoft.Extensions.Options;

namespace Chat.History.Storage;

/// <summary>
/// Group commit: consumers hand their message over and wait; one loop takes whatever is waiting (up to
/// <see cref="HistoryOptions.MaxBatchSize"/>), inserts it in one transaction and only then releases the consumers,
/// which then acknowledge to the broker. Per-message acknowledgement and errors, the throughput of batches.
/// </summary>
public sealed partial class BatchingMessageWriter(
    IMessageStore store,
    HistoryTelemetry telemetry,
    TimeProvider time,
    IOptions<HistoryOptions> options,
    ILogger<BatchingMessageWriter> logger) : IHostedService
{
    readonly Channel<PendingWrite> _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.Value.ConcurrentMessageLimit * 2)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    readonly int _maxBatch = options.Value.MaxBatchSize;
    readonly TimeSpan _commitDelay = options.Value.CommitDelay;
    Task? _loop;

    /// <summary>
    /// Waits until the message is committed (or already was). Throws when the batch could not be committed.
    /// <paramref name="redelivered"/>: the broker delivered it before, to this or another instance, without an acknowledgement.
    /// </summary>
    public async Task WriteAsync(ChatMessage message, bool redelivered, CancellationToken cancellationToken)
    {
        var pending = new PendingWrite(message, redelivered, Activity.Current?.Context ?? default);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        _loop = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>Stops taking messages and commits what is queued; consumers still waiting are answered.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken);
        }
    }

    async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(_maxBatch);
        var messages = new List<ChatMessage>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            Take(batch, messages);
            if (batch.Count < _maxBatch && _commitDelay > TimeSpan.Zero)
            {
                // A batch that is not full waits a moment for more: at a steady low rate each commit (an fsync) would
                // otherwise carry one message.
                await Task.Delay(_commitDelay, time);
                Take(batch, messages);
            }

            await CommitAsync(batch, messages);
            batch.Clear();
            messages.Clear();
        }
    }

    void Take(List<PendingWrite> batch, List<ChatMessage> messages)
    {
        while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
            messages.Add(pending.Message);
        }
    }

    async Task CommitAsync(List<PendingWrite> batch, List<ChatMessage> messages)
    {
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        try
        {
            var inserted = await store.AddAsync(messages, CancellationToken.None);
            var now = time.GetUtcNow();
            telemetry.InsertDuration.Record(time.GetElapsedTime(started).TotalSeconds);
            telemetry.BatchSize.Record(batch.Count);
            telemetry.MessagesStored.Add(inserted);
            telemetry.MessagesDuplicate.Add(batch.Count - inserted);
            var redelivered = batch.Count(p => p.Redelivered);
            if (redelivered > 0)
            {
                // After an instance died with deliveries in hand, or lost its connection: how the survivors took them over.
                telemetry.MessagesRedelivered.Add(redelivered);
                Log.RedeliveredCommitted(logger, redelivered, batch.Count, inserted);
            }

            foreach (var pending in batch)
            {
                telemetry.Lag.Record(Math.Max(0, (now - pending.Message.SentAt).TotalSeconds));
                RecordInsert(pending, batch.Count, startedAt, now, error: null);
            }

            // Which of the batch were new is not known per row; a redelivery is reported as stored, which it is.
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            Log.CommitFailed(logger, batch.Count, ex);
            var now = time.GetUtcNow();
            foreach (var pending in batch)
            {
                RecordInsert(pending, batch.Count, startedAt, now, ex);
                pending.Completion.TrySetException(ex);
            }
        }
    }

    /// <summary>
    /// Records the batch's commit as a span of each message's own trace (OpenTelemetry's database conventions, with the
    /// batch size), so every message shows the insert that stored it.
    /// </summary>
    void RecordInsert(PendingWrite pending, int batchSize, DateTimeOffset started, DateTimeOffset ended, Exception? error)
    {
        if (pending.Parent == default)
        {
            return; // not traced
        }

        using var activity = HistoryTelemetry.Source.StartActivity(HistoryTelemetry.InsertActivityName, ActivityKind.Client,
            pending.Parent, startTime: started);
        if (activity is not { IsAllDataRequested: true })
        {
            return; // not recorded (under sampling, most are not): no tags to set
        }

        activity.SetTag("db.system.name", store.DbSystemName);
        activity.SetTag("db.operation.name", "INSERT");
        activity.SetTag("db.collection.name", "messages");
        if (batchSize > 1)
        {
            activity.SetTag("db.operation.batch.size", batchSize); // the conventions define it for two or more
        }

        activity.SetTag(HistoryTelemetry.RoomAttribute, pending.Message.Room);
        activity.SetTag(HistoryTelemetry.MessageIdAttribute, pending.Message.Id.ToString());
        if (error is not null)
        {
            activity.SetTag("error.type", error.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        activity.SetEndTime(ended.UtcDateTime);
    }

    sealed record PendingWrite(ChatMessage Message, bool Redelivered, ActivityContext Parent)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Committing a batch of {Count} messages failed; they will be retried by the broker")]
        public static partial void CommitFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(2, LogLevel.Information, "Committed {Redelivered} redelivered messages in a batch of {Count} ({Inserted} of the batch new)")]
        public static partial void RedeliveredCommitted(ILogger logger, int redelivered, int count, int inserted);
    }
}

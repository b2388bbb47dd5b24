namespace Chat.Bench.Workload;

/// <summary>
/// The sending half of a paced round: one <see cref="Pacer"/> for every client, one <see cref="PacedSender"/> per
/// client, every payload stamped with its scheduled time (not the moment it was written), and the lag of the writes
/// behind the schedule.
/// </summary>
public sealed class PacedRound
{
    readonly PacedSender[] _senders;
    readonly Pacer _pacer;
    Task _pacing = Task.CompletedTask;

    public PacedRound(IReadOnlyList<IBenchClient> clients, WorkloadPlan plan, CancellationToken cancellationToken)
    {
        Schedule = new PacedSchedule(clients.Count, plan.Rate, plan.MessagesPerClient);
        _pacer = new Pacer(Schedule, TimeProvider.System);
        _senders = [.. clients.Select((client, i) => new PacedSender(client, plan.RoomOfClient[i], SendLag, cancellationToken))];
    }

    public PacedSchedule Schedule { get; }

    /// <summary>When each send call started, behind its scheduled time.</summary>
    public ScheduleLag SendLag { get; } = new();

    /// <summary>When the pacer handed each send out, behind its scheduled time.</summary>
    public ScheduleLag PacerLag => _pacer.Lag;

    /// <summary>The scheduling priority the pacer's thread ran at.</summary>
    public string PacerPriority => _pacer.Priority;

    /// <summary>Starts pacing: the first message is due at <paramref name="start"/> (a <see cref="TimeProvider.System"/> timestamp).</summary>
    public void Start(long start, CancellationToken cancellationToken) =>
        _pacing = _pacer.RunAsync(start, (client, sequence, scheduled) => _senders[client].Enqueue(new BenchPayload(client, sequence, scheduled)), cancellationToken);

    /// <summary>Waits for the pacer and every sender to end (cancel the token given to both first if the round ended early); returns what went wrong.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        var problems = new List<string>();
        await _pacing;
        await Task.WhenAll(_senders.Select(s => s.CompleteAsync()));
        if (_pacer.Dispatched < Schedule.Count)
        {
            problems.Add($"the round ended with {Schedule.Count - _pacer.Dispatched:N0} of {Schedule.Count:N0} sends not yet due");
        }

        var failed = _senders.Where(s => s.Failure is not null).ToList();
        if (failed.Count > 0)
        {
            problems.Add($"{failed.Count} client(s) could not send on: {failed[0].Failure!.Message}");
        }

        return problems;
    }
}

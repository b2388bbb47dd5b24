namespace Chat.Gateway.Connections;

/// <summary>
/// What a session has started and not yet answered: the frame being handled and the publishes waiting for their
/// confirm. Draining refuses new frames and completes once everything started has been answered, so a close never
/// overtakes an answer.
/// </summary>
public sealed class InFlightWork
{
    readonly Lock _gate = new();
    int _count;
    TaskCompletionSource? _drained;

    public bool IsDraining { get; private set; }

    /// <summary>Counts a client frame about to be handled; <see langword="false"/> once draining (the frame is ignored).</summary>
    public bool TryBeginFrame()
    {
        lock (_gate)
        {
            if (IsDraining)
            {
                return false;
            }

            _count++;
            return true;
        }
    }

    /// <summary>Counts a publish started while a frame is counted, so it can never start after the drain finished.</summary>
    public void BeginPublish()
    {
        lock (_gate)
        {
            _count++;
        }
    }

    /// <summary>Ends a frame or a publish.</summary>
    public void End()
    {
        lock (_gate)
        {
            if (--_count == 0 && IsDraining)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>Refuses new frames; completes when every frame and publish started before has ended.</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            IsDraining = true;
            if (_count == 0)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }
}

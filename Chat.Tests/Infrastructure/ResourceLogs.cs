using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Every line every resource of the app writes (each replica separately), kept for assertions and written to
/// <c>resource-logs/</c> beside the test assembly so a failed CI run can be read afterwards. Lines are kept without the
/// console's colour codes, which split the level from its colon (<c>fail</c>, a code, then <c>:</c>).
/// </summary>
sealed partial class ResourceLogs : IAsyncDisposable
{
    readonly List<LogLine> _lines = [];
    readonly List<(Func<LogLine, bool> Match, TaskCompletionSource<LogLine> Found)> _waiters = [];
    readonly ConcurrentDictionary<string, Task> _watchers = new();
    readonly CancellationTokenSource _stop = new();
    readonly Task _discovery;
    readonly DistributedApplication _app;

    public ResourceLogs(DistributedApplication app)
    {
        _app = app;
        _discovery = DiscoverAsync();
    }

    public IReadOnlyList<LogLine> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The lines <paramref name="resource"/> (any of its replicas) wrote after the first <paramref name="mark"/> lines of all.</summary>
    public IEnumerable<LogLine> Since(int mark, string resource) => Lines.Skip(mark).Where(l => l.Resource == resource);

    /// <summary>Waits for a line (already written or still to come) that matches.</summary>
    public async Task<LogLine> WaitForAsync(Func<LogLine, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<LogLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            foreach (var line in _lines)
            {
                if (match(line))
                {
                    return line;
                }
            }

            _waiters.Add((match, found));
        }

        return await found.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
    }

    async Task DiscoverAsync()
    {
        try
        {
            await foreach (var e in _app.ResourceNotifications.WatchAsync(_stop.Token))
            {
                var id = e.ResourceId;
                _ = _watchers.GetOrAdd(id, _ => WatchAsync(e.Resource.Name, id));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task WatchAsync(string resource, string resourceId)
    {
        var loggers = _app.Services.GetRequiredService<ResourceLoggerService>();
        try
        {
            await foreach (var batch in loggers.WatchAsync(resourceId).WithCancellation(_stop.Token))
            {
                foreach (var entry in batch)
                {
                    Add(new LogLine(resource, resourceId, ConsoleColours().Replace(entry.Content, ""), entry.IsErrorMessage));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex ConsoleColours();

    void Add(LogLine line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll([_discovery, .. _watchers.Values]).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Writes every line to <paramref name="path"/>.</summary>
    public async Task SaveAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllLinesAsync(path, Lines.Select(l => $"[{l.ResourceId}] {l.Text}"));
    }
}

/// <summary>One line of a resource's console output.</summary>
sealed record LogLine(string Resource, string ResourceId, string Text, bool IsError);

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Finds a resource's real process below the one DCP reports: projects run under a <c>dotnet run</c> launcher, so
/// the reported process id is the launcher's and a signal must go to its child, the service itself.
/// </summary>
static class ProcessTree
{
    /// <summary>
    /// The process named <paramref name="name"/> at or below <paramref name="root"/> (Linux /proc); waits for it,
    /// since a resource is reported running as soon as its launcher is.
    /// </summary>
    public static async Task<int> FindAsync(int root, string name)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TestTimeouts.Long);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            if (TryFind(root, name) is { } pid)
            {
                return pid;
            }
        }
        while (await timer.WaitForNextTickAsync(cts.Token));

        throw new InvalidOperationException($"No process named {name} under {root}.");
    }

    static int? TryFind(int root, string name)
    {
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            if (Name(pid) == name)
            {
                return pid;
            }

            foreach (var child in Children(pid))
            {
                pending.Enqueue(child);
            }
        }

        return null;
    }

    static string? Name(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    static IEnumerable<int> Children(int pid)
    {
        var children = new List<int>();
        if (!Directory.Exists($"/proc/{pid}/task"))
        {
            return children;
        }

        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                children.AddRange(File.ReadAllText(Path.Combine(task, "children"))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // the thread or process ended meanwhile
            }
        }

        return children;
    }
}

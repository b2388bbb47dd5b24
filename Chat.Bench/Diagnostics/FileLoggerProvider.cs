namespace Chat.Bench.Diagnostics;

/// <summary>
/// Writes every log line (the bench's, and the app's resources' that the AppHost forwards) to one file, so the console
/// stays a table and progress while the details remain at hand.
/// </summary>
public sealed class FileLoggerProvider : ILoggerProvider
{
    readonly StreamWriter _writer;
    readonly Lock _gate = new();

    public FileLoggerProvider(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
        FilePath = path;
    }

    /// <summary>The file written to.</summary>
    public string FilePath { get; }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    void Write(string category, LogLevel level, string message, Exception? exception)
    {
        lock (_gate)
        {
            _writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {level,-11} {category}: {message}");
            if (exception is not null)
            {
                _writer.WriteLine(exception.ToString());
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write(category, logLevel, formatter(state, exception), exception);
    }
}

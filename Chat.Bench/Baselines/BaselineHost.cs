namespace Chat.Bench.Baselines;

/// <summary>
/// The other side of <see cref="BaselineProcess"/>: <c>Chat.Bench --serve socket|signalr --name N [--redis host:port]</c>
/// runs one baseline server, prints <see cref="ListeningPrefix"/> and its address on standard output, logs warnings to
/// standard error, and stops when its standard input closes (the bench disposed it or went away) or on SIGTERM.
/// </summary>
public static class BaselineHost
{
    public const string ServeOption = "--serve";
    public const string NameOption = "--name";
    public const string RedisOption = "--redis";
    public const string ListeningPrefix = "listening ";

    public static bool IsServeCommand(string[] args) => args.Length > 0 && args[0] == ServeOption;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        var kind = options.GetValueOrDefault(ServeOption);
        var name = options.GetValueOrDefault(NameOption, $"Chat.Bench.{kind}");
        using var logs = new StandardErrorLoggerProvider();
        (WebApplication App, Uri Address) server;
        switch (kind)
        {
            case RawSocketServer.Kind:
                server = await LoopbackServer.StartAsync(name, _ => { }, new RawSocketBroadcast().Map, logs, CancellationToken.None);
                break;
            case SignalRPeer.Kind when options.GetValueOrDefault(RedisOption) is { } redis:
                server = await LoopbackServer.StartAsync(name, builder => SignalRPeer.Configure(builder, redis), SignalRPeer.Map, logs, CancellationToken.None);
                break;
            default:
                await Console.Error.WriteLineAsync($"usage: {ServeOption} {RawSocketServer.Kind}|{SignalRPeer.Kind} [{NameOption} NAME] [{RedisOption} HOST:PORT (for {SignalRPeer.Kind})]");
                return 2;
        }

        await using var app = server.App;
        Console.WriteLine(ListeningPrefix + server.Address);
        var inputClosed = Task.Run(() => Console.In.ReadToEnd());
        await Task.WhenAny(inputClosed, app.WaitForShutdownAsync());
        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>Warnings and errors as single lines on standard error, where <see cref="BaselineProcess"/> reads them.</summary>
    sealed class StandardErrorLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

        public void Dispose()
        {
        }

        sealed class Logger(string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    var text = $"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}";
                    Console.Error.WriteLine(text.ReplaceLineEndings(" "));
                }
            }
        }
    }
}

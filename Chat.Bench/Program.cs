using Chat.Bench;
using Chat.Bench.Baselines;

if (BaselineHost.IsServeCommand(args))
{
    return await BaselineHost.RunAsync(args); // a baseline's server, started by the bench itself
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (FormatException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: stop the run and clean up (the app, the broker, redis-server). A second one ends the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("\ncancelling: stopping the app and the baselines …");
        cancellation.Cancel();
    }
};

try
{
    var report = await new BenchRunner(options, Console.Out).RunAsync(cancellation.Token);
    return report.OursClean ? 0 : 1;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    return 130;
}

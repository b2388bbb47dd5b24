using System.CommandLine.Help;
using Chat.Bench;
using Chat.Bench.Baselines;

if (BaselineHost.IsServeCommand(args))
{
    return await BaselineHost.RunAsync(args); // a baseline's server, started by the bench itself
}

var command = BenchCommandLine.Parse(args);
if (command.Errors.Count > 0)
{
    foreach (var error in command.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("Options: dotnet run -c Release --project Chat.Bench -- --help");
    return 2;
}

if (command.Action is HelpAction)
{
    return await command.InvokeAsync(); // prints the help generated from the options
}

var options = BenchCommandLine.ToOptions(command);
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

using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Chat.Bench.Baselines;

/// <summary>A Kestrel server on 127.0.0.1 and a free port: how a baseline's server process (<see cref="BaselineHost"/>) hosts it.</summary>
public static class LoopbackServer
{
    /// <summary>Builds, maps and starts a slim web application; returns it and its address.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(
        string name, Action<WebApplicationBuilder> configure, Action<WebApplication> map, ILoggerProvider? logs, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = name, ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        configure(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }
}

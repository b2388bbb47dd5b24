using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.AppHost;

static class AppHostExtensions
{
    /// <summary>
    /// The directory for the broker's and history's data (<c>Chat:DataDirectory</c>); by default <c>.data</c> beside
    /// the AppHost, kept between runs so that queued messages and history survive a restart.
    /// </summary>
    public static string GetDataDirectory(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Chat:DataDirectory"];
        var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(builder.AppHostDirectory, ".data") : configured);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// Stops the project's replicas first when the AppHost stops, while the proxy in front of them still runs, so
    /// they drain as they would on their own SIGTERM (see <see cref="StopFirstOnShutdown"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> StopFirstOnShutdown(this IResourceBuilder<ProjectResource> project)
    {
        project.ApplicationBuilder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<StopFirstOnShutdown>(services, project.Resource));
        return project;
    }

    /// <summary>Sets the port of the project's <c>http</c> endpoint from configuration; 0 means any free port.</summary>
    public static IResourceBuilder<ProjectResource> WithConfiguredPort(this IResourceBuilder<ProjectResource> project, string key)
    {
        if (project.ApplicationBuilder.Configuration.GetValue<int?>(key) is { } port)
        {
            project.WithEndpoint("http", endpoint => endpoint.Port = port == 0 ? null : port);
        }

        return project;
    }

    /// <summary>
    /// Passes the AppHost's configuration section <paramref name="section"/> (for example <c>Gateway</c>) on to the
    /// project as environment variables, so <c>--Gateway:MessagesPerSecond=1000</c> on the AppHost reaches the gateway.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfigurationSection(this IResourceBuilder<ProjectResource> project, string section)
    {
        foreach (var (key, value) in project.ApplicationBuilder.Configuration.GetSection(section).AsEnumerable(makePathsRelative: false))
        {
            if (value is not null)
            {
                project.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        return project;
    }

    /// <summary>
    /// Passes the identity mode (<c>Chat:Identity</c>: <c>anonymous</c> or <c>token</c>) and, in token mode, the AppHost's
    /// <c>Authentication</c> section unchanged, so one command line configures every service's JwtBearer handler.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithIdentity(this IResourceBuilder<ProjectResource> project)
    {
        var mode = project.ApplicationBuilder.Configuration["Chat:Identity"] ?? "anonymous";
        project.WithEnvironment("Chat__Identity", mode);
        return mode == "token" ? project.WithConfigurationSection("Authentication") : project;
    }
}

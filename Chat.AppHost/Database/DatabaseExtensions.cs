using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Chat.AppHost.Database;

/// <summary>Provides history's PostgreSQL database: Aspire's container where a container runtime works, otherwise the machine's PostgreSQL.</summary>
static class DatabaseExtensions
{
    const string ServerName = "postgres";

    /// <summary>
    /// History's PostgreSQL database <paramref name="name"/> when <c>Chat:HistoryStore</c> is <c>postgres</c>, on the
    /// server <c>Chat:Database</c> chooses (<c>auto</c>, <c>container</c>, <c>local</c>); <see langword="null"/> when
    /// history uses SQLite. <paramref name="problem"/> is the one line to print when the configuration cannot run.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddHistoryDatabase(
        this IDistributedApplicationBuilder builder, string name, int replicas, string dataDirectory, out string? problem)
    {
        problem = null;
        if (replicas < 1)
        {
            problem = $"Chat:HistoryReplicas={replicas}: history needs at least one instance.";
            return null;
        }

        if (builder.Configuration.GetValue("Chat:HistoryStore", HistoryStore.Sqlite) == HistoryStore.Sqlite)
        {
            problem = replicas > 1 ? $"Chat:HistoryReplicas={replicas} needs Chat:HistoryStore=postgres: history instances cannot share one SQLite file." : null;
            return null;
        }

        var mode = builder.Configuration.GetValue("Chat:Database", DatabaseMode.Auto);
        if (builder.ExecutionContext.IsPublishMode || mode == DatabaseMode.Container
            || (mode == DatabaseMode.Auto && ContainerRuntime.Answers()))
        {
            return builder.AddPostgres(ServerName).WithDataVolume().AddDatabase(name);
        }

        var serverDirectory = Path.Combine(dataDirectory, ServerName);
        if (OperatingSystem.IsWindows() || LocalPostgres.FindBinDirectory(serverDirectory) is not { } bin)
        {
            problem = mode == DatabaseMode.Local
                ? "Chat:Database is 'local' but no PostgreSQL server is installed under /usr/lib/postgresql: install it with 'sudo apt-get install postgresql'."
                : "No PostgreSQL available for Chat:HistoryStore=postgres: install Docker or Podman (for the PostgreSQL container), or the postgresql package ('sudo apt-get install postgresql').";
            return null;
        }

        return builder.AddLocalPostgres(ServerName, serverDirectory, bin).AddDatabase(name);
    }

    /// <summary>
    /// Points history at its store: the PostgreSQL <paramref name="database"/> (waited for) when there is one, else the
    /// SQLite file <paramref name="sqliteFile"/>. Set after the <c>History</c> section, so the AppHost's choice wins.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHistoryStore(this IResourceBuilder<ProjectResource> history,
        IResourceBuilder<IResourceWithConnectionString>? database, string sqliteFile) =>
        database is null
            ? history.WithEnvironment("History__Store", "sqlite").WithEnvironment("History__DatabasePath", sqliteFile)
            : history.WithEnvironment("History__Store", "postgres").WithReference(database).WaitFor(database);

    /// <summary>
    /// The machine's PostgreSQL on <paramref name="serverDirectory"/> (initdb on its first start), on loopback and a port of
    /// its own, user <c>postgres</c> with a generated password (an Aspire parameter, as the container's), logging to the
    /// dashboard; DCP stops it with the AppHost.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name, string serverDirectory, string binDirectory)
    {
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password");
        // No Unix socket: clients come over TCP, and two servers of one machine must not contend for one socket path.
        var (command, arguments) = LocalPostgres.AsServerUser(Path.Combine(binDirectory, "postgres"),
            "-D", serverDirectory, "-c", "listen_addresses=localhost", "-c", "unix_socket_directories=");
        var server = new LocalPostgresResource(name, command, Path.GetDirectoryName(serverDirectory)!, password);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (e, ct) =>
        {
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            await LocalPostgres.EnsureInitializedAsync(serverDirectory, binDirectory, (await password.GetValueAsync(ct))!, logger, ct);
        });

        builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<PostgresFastShutdown>(services, server));

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) => connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => (connectionString ?? throw new InvalidOperationException("The connection string is not known yet")) + ";Database=postgres",
            name: healthCheckKey);

        return builder.AddResource(server)
            .WithArgs(arguments)
            .WithEndpoint(name: LocalPostgresResource.PrimaryEndpointName, scheme: "tcp", env: "PGPORT", isProxied: false) // postgres reads PGPORT
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// A database on the local server, created once the server is ready (as Aspire's <c>AddDatabase</c> does for the
    /// container), healthy when it accepts connections.
    /// </summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, name, server.Resource);

        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (e, ct) =>
        {
            var serverConnectionString = await server.Resource.ConnectionStringExpression.GetValueAsync(ct);
            await using var connection = new NpgsqlConnection(serverConnectionString + ";Database=postgres");
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            try
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // made by an earlier run: the data directory is kept
            }

            // A database has no process of its own: it runs while its server does.
            await e.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });
        builder.Eventing.Subscribe<ResourceStoppedEvent>(server.Resource, (e, _) =>
            e.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, s => s with
            {
                State = KnownResourceStates.Exited,
                StopTimeStamp = DateTime.UtcNow,
            }));

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) => connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString ?? throw new InvalidOperationException("The connection string is not known yet"),
            name: healthCheckKey);

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.NotStarted,
                Properties = [],
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }
}

using Chat.AppHost;
using Microsoft.Extensions.Configuration;
using Chat.AppHost.Broker;
using Chat.AppHost.Database;

var builder = DistributedApplication.CreateBuilder(args);
if (builder.Configuration["Chat:Identity"] is { } identity && identity is not ("anonymous" or "token"))
{
    Console.Error.WriteLine($"Chat:Identity must be 'anonymous' or 'token', not '{identity}'.");
    return 1;
}

// Infrastructure: RabbitMQ (container, or the machine's rabbitmq-server; one node, or a cluster of Chat:BrokerNodes whose
// resource is healthy once every node has joined) and the data directory.
var dataDirectory = builder.GetDataDirectory();
var messaging = builder.AddChatBroker("messaging", dataDirectory, out var problem);
if (messaging is null)
{
    Console.Error.WriteLine(problem);
    return 1;
}

// History's store: a SQLite file in the data directory (one instance), or a PostgreSQL database (container, or the
// machine's postgres), which any number of history instances share.
var historyReplicas = builder.Configuration.GetValue("Chat:HistoryReplicas", 1);
var historyDatabase = builder.AddHistoryDatabase("history-db", historyReplicas, dataDirectory, out problem);
if (problem is not null)
{
    Console.Error.WriteLine(problem);
    return 1;
}

// History: the durable consumer (its replicas compete for one queue), the store, the REST API on :8082.
var history = builder.AddProject<Projects.Chat_History>("history")
    .WithReplicas(historyReplicas)
    .WithConfiguredPort("Chat:HistoryPort")
    .WithConfigurationSection("History")
    .WithHistoryStore(historyDatabase, Path.Combine(dataDirectory, "history", "history.db"))
    .WithIdentity()
    .WithReference(messaging).WaitFor(messaging)
    .WithHttpHealthCheck("/health");

// Gateway: the WebSocket endpoints and the chat page on :8081, balanced over its replicas.
builder.AddProject<Projects.Chat_Gateway>("gateway")
    .WithReplicas(builder.Configuration.GetValue("Chat:GatewayReplicas", 2))
    .WithConfiguredPort("Chat:GatewayPort")
    .WithConfigurationSection("Gateway")
    .WithIdentity()
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(history).WaitFor(history)
    .WithHttpHealthCheck("/health")
    .StopFirstOnShutdown(); // so its clients get 1001 through the proxy, not a dropped connection

builder.Build().Run();
return 0;

using Chat.AppHost;
using Microsoft.Extensions.Configuration;
using Chat.AppHost.Broker;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: RabbitMQ (container, or the machine's rabbitmq-server) and the data directory.
var dataDirectory = builder.GetDataDirectory();
var messaging = builder.AddChatBroker("messaging", dataDirectory, out var problem);
if (messaging is null)
{
    Console.Error.WriteLine(problem);
    return 1;
}

// History: the durable consumer, the SQLite store, the REST API on :8082.
var history = builder.AddProject<Projects.Chat_History>("history")
    .WithConfiguredPort("Chat:HistoryPort")
    .WithConfigurationSection("History")
    .WithEnvironment("History__DatabasePath", Path.Combine(dataDirectory, "history", "history.db"))
    .WithReference(messaging).WaitFor(messaging)
    .WithHttpHealthCheck("/health");

// Gateway: the WebSocket endpoints and the chat page on :8081, balanced over its replicas.
builder.AddProject<Projects.Chat_Gateway>("gateway")
    .WithReplicas(builder.Configuration.GetValue("Chat:GatewayReplicas", 2))
    .WithConfiguredPort("Chat:GatewayPort")
    .WithConfigurationSection("Gateway")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(history).WaitFor(history)
    .WithHttpHealthCheck("/health")
    .StopFirstOnShutdown(); // so its clients get 1001 through the proxy, not a dropped connection

builder.Build().Run();
return 0;

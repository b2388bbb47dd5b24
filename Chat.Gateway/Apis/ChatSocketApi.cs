using Chat.Gateway.Connections;

namespace Chat.Gateway.Apis;

/// <summary>The two WebSocket endpoints of PROTOCOL.md.</summary>
public static class ChatSocketApi
{
    public const string JsonPath = "/ws";
    public const string PlainTextPath = "/websocket";

    public static IEndpointRouteBuilder MapChatSocketApi(this IEndpointRouteBuilder app)
    {
        // Map, not MapGet: WebSockets over HTTP/2 arrive as CONNECT.
        app.Map(JsonPath, AcceptJson)
            .WithName("JsonWebSocket")
            .WithSummary("The JSON chat protocol. Query: user (optional), or access_token in token mode.")
            .WithTags("WebSockets");

        app.Map(PlainTextPath, AcceptPlainText)
            .WithName("PlainTextWebSocket")
            .WithSummary("The 2013 talk's plain-text client: every frame goes to room lobby.")
            .WithTags("WebSockets");

        return app;
    }

    static Task<IResult> AcceptJson(HttpContext context, ConnectionAcceptor acceptor) => acceptor.AcceptAsync(context, ConnectionKind.Json);

    static Task<IResult> AcceptPlainText(HttpContext context, ConnectionAcceptor acceptor) => acceptor.AcceptAsync(context, ConnectionKind.PlainText);
}

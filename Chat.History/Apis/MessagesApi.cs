using System.ComponentModel;
using System.Globalization;
using Chat.History.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.History.Apis;

/// <summary><c>GET /rooms/{room}/messages</c>, as PROTOCOL.md writes it.</summary>
public static class MessagesApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/rooms/{room}/messages").WithTags("Messages");
        if (app.ServiceProvider.GetRequiredService<IConfiguration>().RequiresToken())
        {
            api.RequireAuthorization(); // token mode: the same tokens as the gateway's
        }

        api.MapGet("", GetMessages)
            .WithName("GetMessages")
            .WithSummary("A page of a room's messages, in ascending order of id")
            .WithDescription("after: the oldest messages after that id. before (or neither): the newest messages before that id (or overall). Both: the oldest messages between them.");

        return api;
    }

    public static async Task<Results<Ok<MessagePage>, ValidationProblem>> GetMessages(
        [Description("The room: 1-64 characters of A-Z a-z 0-9 _ . -")] string room,
        [AsParameters] MessagesQuery query,
        IMessageStore store,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (ChatRules.ValidateRoom(room) is { } roomError)
        {
            errors["room"] = [roomError];
        }

        // Parsed here, not bound as int: a non-number must be a 400 naming the field, not a binding failure.
        var limit = DefaultLimit;
        if (query.Limit is not null && (!int.TryParse(query.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}"];
        }

        var before = ParseId(query.Before, "before", errors);
        var after = ParseId(query.After, "after", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request is invalid.");
        }

        var messages = await store.GetAsync(room, new MessageQuery(limit, before, after), cancellationToken);
        return TypedResults.Ok(new MessagePage(room, messages));
    }

    static Guid? ParseId(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (MessageIds.TryParse(value, out var id))
        {
            return id;
        }

        errors[name] = [$"{name} must be a message id (a UUIDv7)"];
        return null;
    }
}

/// <summary>The query of <see cref="MessagesApi.GetMessages"/>.</summary>
public sealed record MessagesQuery(
    [property: Description("How many messages: a whole number from 1 to 500.")][property: DefaultValue("50")] string? Limit,
    [property: Description("Only messages before this message id.")] string? Before,
    [property: Description("Only messages after this message id, the oldest first.")] string? After);

using Marketplace.Chat.Hubs;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Notifications;
using Marketplace.Chat.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Routing;

/// <summary>
/// The built-in inbox over HTTP, under the chat prefix: <c>GET notifications</c> (newest first, <c>?before=</c> to page),
/// <c>GET notifications/unread-count</c>, <c>POST notifications/{number}/read</c>, <c>POST notifications/read-all</c>,
/// and the user's chat list, <c>GET conversations</c>. Refusals are ProblemDetails with the chat's codes.
/// </summary>
internal static class ChatNotificationEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        var inbox = group.MapGroup("/notifications");
        inbox.MapGet("/", (HttpContext http, ChatUserResolver users, IChatInbox box, string? before, string? limit) =>
            Guarded(http, users, (user, ct) => Ok(box.ListAsync(
                user.UserId, ChatInput.OptionalInt64(before, "before"), (int)(ChatInput.OptionalInt64(limit, "limit", 0, 1000) ?? 20), ct))));
        inbox.MapGet("/unread-count", (HttpContext http, ChatUserResolver users, IChatInbox box) =>
            Guarded(http, users, async (user, ct) => Results.Ok(new NotificationCount(await box.CountUnreadAsync(user.UserId, ct).ConfigureAwait(false)))));
        inbox.MapPost("/{number}/read", (HttpContext http, ChatUserResolver users, IChatInbox box, string number) =>
            Guarded(http, users, async (user, ct) => await box.MarkReadAsync(user.UserId, ChatInput.OptionalInt64(number, "notification number") ?? 0, ct).ConfigureAwait(false) is { } unread
                ? Results.Ok(new NotificationCount(unread))
                : ChatProblems.ToResult(new ChatException(ChatErrorCode.MessageNotFound, "That notification does not exist."))));
        inbox.MapPost("/read-all", (HttpContext http, ChatUserResolver users, IChatInbox box) =>
            Guarded(http, users, async (user, ct) => Results.Ok(new NotificationCount(await box.MarkAllReadAsync(user.UserId, ct).ConfigureAwait(false)))));
        group.MapGet("/conversations", (HttpContext http, ChatUserResolver users, IChatMessaging messaging, string? limit) =>
            Guarded(http, users, (user, ct) => Ok(messaging.ListConversationsAsync(user, (int)(ChatInput.OptionalInt64(limit, "limit", 0, 500) ?? 100), ct))));
    }

    private static async Task<IResult> Ok<T>(Task<T> work) => Results.Ok(await work.ConfigureAwait(false));

    /// <summary>Authenticates the caller and turns refusals into ProblemDetails.</summary>
    internal static async Task<IResult> Guarded(
        HttpContext http, ChatUserResolver users, Func<Conversations.ChatUser, CancellationToken, Task<IResult>> work)
    {
        try
        {
            var user = await users.ResolveAsync(http).ConfigureAwait(false);
            await http.RequestServices.GetRequiredService<ChatBudgets>()
                .AcquireAsync(ChatBudget.Notifications, user.UserId, http.RequestAborted).ConfigureAwait(false);
            return await work(user, http.RequestAborted).ConfigureAwait(false);
        }
        catch (ChatException refusal)
        {
            return ChatProblems.Refused(http, refusal);
        }
        catch (Exception ex) when (ChatProblems.IsUnavailable(http, ex))
        {
            return ChatProblems.Unavailable(http, ex);
        }
    }
}

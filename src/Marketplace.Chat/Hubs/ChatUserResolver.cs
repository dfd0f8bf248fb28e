using System.Security.Claims;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Persistence;
using Marketplace.Chat.Validation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Hubs;

/// <summary>Turns the host's authenticated principal into a <see cref="ChatUser"/>: its id and whether it is an administrator.</summary>
internal sealed class ChatUserResolver(IOptions<ChatOptions> options, IServiceProvider services)
{
    /// <summary>Decides whether the principal is a marketplace administrator, by policy when one is set, else by role.</summary>
    public async ValueTask<bool> IsAdminAsync(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.AdminPolicy))
        {
            var authorization = (IAuthorizationService?)services.GetService(typeof(IAuthorizationService))
                ?? throw new InvalidOperationException(
                    "ChatOptions.AdminPolicy is set but authorization is not registered: call services.AddAuthorization().");
            return (await authorization.AuthorizeAsync(principal, o.AdminPolicy).ConfigureAwait(false)).Succeeded;
        }

        return principal.IsInRole(o.AdminRole);
    }

    /// <summary>
    /// Builds the chat user of an HTTP request: the id is the <see cref="ChatOptions.UserIdClaimType"/> claim
    /// (by default the one SignalR's default user id provider reads), so hubs and endpoints agree on who the user is.
    /// </summary>
    public ValueTask<ChatUser> ResolveAsync(Microsoft.AspNetCore.Http.HttpContext context) =>
        ResolveAsync(context.User.FindFirst(options.Value.UserIdClaimType)?.Value, context.User);

    /// <summary>Builds the chat user, or throws <see cref="ChatErrorCode.AuthenticationRequired"/> for anonymous callers.</summary>
    public async ValueTask<ChatUser> ResolveAsync(string? userId, ClaimsPrincipal? principal)
    {
        if (string.IsNullOrEmpty(userId) || principal?.Identity?.IsAuthenticated != true)
        {
            throw new ChatException(ChatErrorCode.AuthenticationRequired, "Sign in to use the chat.");
        }

        ChatInput.RequireId(userId, "user id", ChatModelConfiguration.UserIdLength);

        return new ChatUser(userId, await IsAdminAsync(principal).ConfigureAwait(false));
    }
}

using System.Security.Claims;
using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Access;

/// <summary>
/// Turns the host's authenticated principal into the <see cref="ChatUser"/> the chat acts for. The hubs, the chat's HTTP
/// endpoints and host code use the same rules: the id is the <see cref="ChatOptions.UserIdClaimType"/> claim, and the user
/// is an administrator when they pass <see cref="ChatOptions.AdminPolicy"/> (when set) or are in <see cref="ChatOptions.AdminRole"/>.
/// </summary>
public interface IChatUserResolver
{
    /// <summary>
    /// Builds the chat user of <paramref name="principal"/>, or throws a <see cref="ChatException"/> with
    /// <see cref="ChatErrorCode.AuthenticationRequired"/> when it is anonymous or has no user id claim.
    /// </summary>
    ValueTask<ChatUser> ResolveAsync(ClaimsPrincipal? principal);

    /// <summary>Decides whether <paramref name="principal"/> is a marketplace administrator, by policy when one is set, else by role.</summary>
    ValueTask<bool> IsAdminAsync(ClaimsPrincipal? principal);
}

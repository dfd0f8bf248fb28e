namespace Marketplace.Chat.Conversations;

/// <summary>Identifies the authenticated caller of a chat operation.</summary>
/// <param name="UserId">The host's user id; never a value supplied by a client.</param>
/// <param name="IsAdmin">Whether the host recognises the user as a marketplace administrator.</param>
public readonly record struct ChatUser(string UserId, bool IsAdmin = false);

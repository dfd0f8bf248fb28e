namespace Marketplace.Chat.Access;

/// <summary>The answer of the access policy: allowed, or refused with a code and a reason a person can read.</summary>
/// <param name="Allowed">Whether the action is allowed.</param>
/// <param name="Code">The refusal code, when not allowed.</param>
/// <param name="Reason">The readable reason, when not allowed.</param>
public readonly record struct AccessDecision(bool Allowed, ChatErrorCode? Code, string? Reason)
{
    /// <summary>Gets the decision that allows the action.</summary>
    internal static AccessDecision Allow { get; } = new(true, null, null);

    /// <summary>Creates a refusal.</summary>
    internal static AccessDecision Deny(ChatErrorCode code, string reason) => new(false, code, reason);

    /// <summary>Throws the refusal as a <see cref="ChatException"/> when the action is not allowed.</summary>
    internal void ThrowIfDenied()
    {
        if (!Allowed)
        {
            throw new ChatException(Code ?? ChatErrorCode.ConversationNotAvailable, Reason ?? "Not allowed.");
        }
    }
}

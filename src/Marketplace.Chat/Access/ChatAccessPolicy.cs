using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Access;

/// <summary>
/// Decides, in one place, what a user may do in a conversation in its current state (DESIGN §3):
/// parties read always and write only while the chat is open; administrators reach every dispute chat and
/// read, never write, the transaction chat of a disputed transaction, and they alone read either log as written
/// (the evidence view); everyone else learns nothing.
/// </summary>
internal static class ChatAccessPolicy
{
    /// <summary>The reason given to outsiders, identical whether or not the conversation exists.</summary>
    public const string NotAvailableReason = "This conversation does not exist or you are not a member of it.";

    /// <summary>Decides whether <paramref name="relation"/> may perform <paramref name="action"/>.</summary>
    /// <param name="kind">The kind of conversation.</param>
    /// <param name="state">Its current state.</param>
    /// <param name="relation">How the user relates to it.</param>
    /// <param name="action">What the user tries to do.</param>
    /// <param name="transactionDisputed">For transaction chats: whether a dispute has been opened about the transaction.</param>
    public static AccessDecision Decide(
        ConversationKind kind, ChatState state, ChatRelation relation, ChatAction action, bool transactionDisputed)
    {
        if (relation == ChatRelation.Outsider)
        {
            return NotAvailable;
        }

        // The log as written is evidence for the marketplace: a party asking gets the outsider's answer, which tells
        // them nothing (not even that there is something to see).
        if (action == ChatAction.ReadEvidence)
        {
            return relation == ChatRelation.Admin && (kind == ConversationKind.Dispute || transactionDisputed) ? AccessDecision.Allow : NotAvailable;
        }

        return kind == ConversationKind.Transaction
            ? DecideTransaction(state, relation, action, transactionDisputed)
            : DecideDispute(state, action);
    }

    /// <summary>Gets the refusal given to outsiders and to unknown conversations alike.</summary>
    public static AccessDecision NotAvailable { get; } =
        AccessDecision.Deny(ChatErrorCode.ConversationNotAvailable, NotAvailableReason);

    private static AccessDecision DecideTransaction(ChatState state, ChatRelation relation, ChatAction action, bool disputed)
    {
        if (relation == ChatRelation.Admin)
        {
            if (!disputed)
            {
                return NotAvailable;
            }

            return action is ChatAction.Read or ChatAction.MarkRead
                ? AccessDecision.Allow
                : AccessDecision.Deny(
                    ChatErrorCode.ReadOnly,
                    "Administrators read the transaction chat as evidence; write in the dispute chat.");
        }

        if (action is ChatAction.Read or ChatAction.MarkRead)
        {
            return AccessDecision.Allow;
        }

        return state switch
        {
            ChatState.Open => AccessDecision.Allow,
            ChatState.PendingPayment => AccessDecision.Deny(ChatErrorCode.ChatLocked, "The chat unlocks when payment is confirmed."),
            ChatState.Frozen => AccessDecision.Deny(
                ChatErrorCode.ChatFrozen, "The chat is frozen while a dispute is open; write in the dispute chat."),
            _ => AccessDecision.Deny(ChatErrorCode.ChatClosed, "The chat is closed; its history stays readable."),
        };
    }

    private static AccessDecision DecideDispute(ChatState state, ChatAction action)
    {
        if (action is ChatAction.Read or ChatAction.MarkRead)
        {
            return AccessDecision.Allow;
        }

        if (action is ChatAction.EditOwn or ChatAction.DeleteOwn)
        {
            return AccessDecision.Deny(
                ChatErrorCode.EditNotAllowed, "Messages in a dispute are evidence and cannot be edited or deleted.");
        }

        return state is ChatState.Open or ChatState.UnderReview
            ? AccessDecision.Allow
            : AccessDecision.Deny(ChatErrorCode.DisputeResolved, "The dispute is resolved; its chat is read-only unless it is reopened.");
    }
}

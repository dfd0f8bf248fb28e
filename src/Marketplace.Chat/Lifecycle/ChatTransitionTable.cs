using System.Text;
using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Lifecycle;

/// <summary>
/// The whole lifecycle in one table: every permitted (kind, state, trigger) and where it leads.
/// Anything not listed is refused with a readable reason. This is the one place to swap for a
/// state-machine library (Stateless) if the registry ever serves it.
/// </summary>
internal static class ChatTransitionTable
{
    private static readonly TransitionGuard ActorIsAdmin =
        new("only a marketplace administrator can join a dispute", facts => facts.ActorIsAdmin);

    /// <summary>Gets every rule, transaction chat first, in reading order.</summary>
    public static IReadOnlyList<ChatTransitionRule> Rules { get; } =
    [
        Tx(ChatState.PendingPayment, ChatTrigger.PaymentConfirmed, ChatState.Open, "Payment confirmed: the chat is open."),
        Tx(ChatState.PendingPayment, ChatTrigger.Cancelled, ChatState.Closed, "The transaction was cancelled: the chat is closed."),
        Tx(ChatState.Open, ChatTrigger.Completed, ChatState.Closed, "The transaction is complete: the chat is now read-only."),
        Tx(ChatState.Open, ChatTrigger.Cancelled, ChatState.Closed, "The transaction was cancelled: the chat is closed."),
        Tx(ChatState.Open, ChatTrigger.Refunded, ChatState.Closed, "The payment was refunded: the chat is closed."),
        Tx(ChatState.Open, ChatTrigger.DisputeOpened, ChatState.Frozen, "A dispute was opened: this chat is frozen as evidence."),
        Tx(ChatState.Open, ChatTrigger.DisputeReopened, ChatState.Frozen, "The dispute was reopened: this chat is frozen again."),
        Tx(ChatState.Frozen, ChatTrigger.DisputeResolvedClose, ChatState.Closed, "The dispute was resolved: the chat is closed."),
        Tx(ChatState.Frozen, ChatTrigger.DisputeResolvedResume, ChatState.Open, "The dispute was resolved: the chat is open again."),

        Dispute(ChatState.Open, ChatTrigger.AdminJoined, ChatState.UnderReview, "An administrator joined the dispute.", ActorIsAdmin),
        Dispute(ChatState.Open, ChatTrigger.DisputeResolved, ChatState.Resolved, "The dispute was resolved."),
        Dispute(ChatState.UnderReview, ChatTrigger.DisputeResolved, ChatState.Resolved, "The dispute was resolved."),
        Dispute(ChatState.Resolved, ChatTrigger.Reopened, ChatState.Open, "The dispute was reopened."),
    ];

    /// <summary>Gets the states a conversation of the given kind can be in, in lifecycle order.</summary>
    public static IReadOnlyList<ChatState> StatesOf(ConversationKind kind) => kind == ConversationKind.Transaction
        ? [ChatState.PendingPayment, ChatState.Open, ChatState.Frozen, ChatState.Closed]
        : [ChatState.Open, ChatState.UnderReview, ChatState.Resolved];

    /// <summary>Gets the triggers that apply to conversations of the given kind.</summary>
    public static IReadOnlyList<ChatTrigger> TriggersOf(ConversationKind kind) => kind == ConversationKind.Transaction
        ?
        [
            ChatTrigger.PaymentConfirmed, ChatTrigger.Completed, ChatTrigger.Cancelled, ChatTrigger.Refunded,
            ChatTrigger.DisputeOpened, ChatTrigger.DisputeResolvedClose, ChatTrigger.DisputeResolvedResume, ChatTrigger.DisputeReopened,
        ]
        : [ChatTrigger.AdminJoined, ChatTrigger.DisputeResolved, ChatTrigger.Reopened];

    /// <summary>Gets the state a new conversation of the given kind starts in.</summary>
    public static ChatState InitialState(ConversationKind kind) =>
        kind == ConversationKind.Transaction ? ChatState.PendingPayment : ChatState.Open;

    /// <summary>Finds the rule for a (kind, state, trigger), or null when the trigger is not permitted there.</summary>
    public static ChatTransitionRule? Find(ConversationKind kind, ChatState from, ChatTrigger trigger)
    {
        foreach (var rule in Rules)
        {
            if (rule.Kind == kind && rule.From == from && rule.Trigger == trigger)
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Decides whether a trigger may fire, naming the state, the trigger and any unmet guard when it may not.</summary>
    public static TransitionDecision Evaluate(ConversationKind kind, ChatState from, ChatTrigger trigger, TransitionFacts facts)
    {
        var rule = Find(kind, from, trigger);
        if (rule is null)
        {
            return TransitionDecision.Refuse(
                $"{Describe(trigger)} is not possible because {Explain(kind, from)} (state {from}, trigger {trigger}).");
        }

        if (rule.Guard is { } guard && !guard.IsMet(facts))
        {
            return TransitionDecision.Refuse(
                $"{Describe(trigger)} is not possible: {guard.Description} (state {from}, trigger {trigger}).");
        }

        return TransitionDecision.Permit(rule);
    }

    /// <summary>Renders the table of one kind as a Mermaid state diagram.</summary>
    public static string ToMermaid(ConversationKind kind)
    {
        var text = new StringBuilder();
        text.Append("stateDiagram-v2\n");
        text.Append("    [*] --> ").Append(InitialState(kind)).Append(kind == ConversationKind.Transaction
            ? " : TransactionRegistered\n"
            : " : DisputeOpened\n");
        foreach (var rule in Rules)
        {
            if (rule.Kind != kind)
            {
                continue;
            }

            text.Append("    ").Append(rule.From).Append(" --> ").Append(rule.To).Append(" : ").Append(rule.Trigger);
            if (rule.Guard is { } guard)
            {
                text.Append(" [").Append(guard.Description).Append(']');
            }

            text.Append('\n');
        }

        if (kind == ConversationKind.Transaction)
        {
            text.Append("    Closed --> [*]\n");
        }

        return text.ToString();
    }

    /// <summary>Says, for a person, why nothing but reading happens in a state.</summary>
    public static string Explain(ConversationKind kind, ChatState state) => (kind, state) switch
    {
        (ConversationKind.Transaction, ChatState.PendingPayment) => "the chat unlocks when payment is confirmed",
        (ConversationKind.Transaction, ChatState.Open) => "the transaction is in progress",
        (ConversationKind.Transaction, ChatState.Frozen) => "the chat is frozen while a dispute is open",
        (ConversationKind.Transaction, ChatState.Closed) => "the chat is closed",
        (ConversationKind.Dispute, ChatState.Open) => "the dispute is open",
        (ConversationKind.Dispute, ChatState.UnderReview) => "the dispute is under review",
        (ConversationKind.Dispute, ChatState.Resolved) => "the dispute is resolved",
        _ => $"a {kind.ToString().ToLowerInvariant()} chat is never in state {state}",
    };

    private static string Describe(ChatTrigger trigger) => trigger switch
    {
        ChatTrigger.PaymentConfirmed => "Confirming the payment",
        ChatTrigger.Completed => "Completing the transaction",
        ChatTrigger.Cancelled => "Cancelling the transaction",
        ChatTrigger.Refunded => "Refunding the transaction",
        ChatTrigger.DisputeOpened => "Opening a dispute",
        ChatTrigger.DisputeResolvedClose => "Closing the transaction after its dispute",
        ChatTrigger.DisputeResolvedResume => "Resuming the transaction after its dispute",
        ChatTrigger.DisputeReopened => "Freezing the transaction for a reopened dispute",
        ChatTrigger.AdminJoined => "Joining the dispute",
        ChatTrigger.DisputeResolved => "Resolving the dispute",
        ChatTrigger.Reopened => "Reopening the dispute",
        _ => trigger.ToString(),
    };

    private static ChatTransitionRule Tx(ChatState from, ChatTrigger trigger, ChatState to, string announcement) =>
        new(ConversationKind.Transaction, from, trigger, to, announcement);

    private static ChatTransitionRule Dispute(
        ChatState from, ChatTrigger trigger, ChatState to, string announcement, TransitionGuard? guard = null) =>
        new(ConversationKind.Dispute, from, trigger, to, announcement, guard);
}

/// <summary>The answer of the table: the rule to apply, or the reason for refusing.</summary>
internal readonly record struct TransitionDecision(ChatTransitionRule? Rule, string? RefusalReason)
{
    public bool IsPermitted => Rule is not null;

    public static TransitionDecision Permit(ChatTransitionRule rule) => new(rule, null);

    public static TransitionDecision Refuse(string reason) => new(null, reason);
}

using Marketplace.Chat.Conversations;
using Stateless;
using Stateless.Graph;

namespace Marketplace.Chat.Lifecycle;

/// <summary>
/// The two lifecycles (DESIGN §2) as Stateless machines. A machine is built over one conversation snapshot: its state is
/// read from and written to a copy of the row's state (accessor and mutator), so the database row stays the lifecycle
/// service's to write with its version check. The guards decide from <see cref="TransitionFacts"/>; a refusal names the
/// state, the trigger and the unmet guard.
/// </summary>
internal static class ChatLifecycleMachine
{
    /// <summary>The one guard: only an administrator's join moves a dispute under review.</summary>
    public const string AdminGuardDescription = "only a marketplace administrator can join a dispute";

    private static readonly Dictionary<ChatTrigger, string> Announcements = new()
    {
        [ChatTrigger.PaymentConfirmed] = "Payment confirmed: the chat is open.",
        [ChatTrigger.Completed] = "The transaction is complete: the chat is now read-only.",
        [ChatTrigger.Cancelled] = "The transaction was cancelled: the chat is closed.",
        [ChatTrigger.Refunded] = "The payment was refunded: the chat is closed.",
        [ChatTrigger.DisputeOpened] = "A dispute was opened: this chat is frozen as evidence.",
        [ChatTrigger.DisputeReopened] = "The dispute was reopened: this chat is frozen again.",
        [ChatTrigger.DisputeResolvedClose] = "The dispute was resolved: the chat is closed.",
        [ChatTrigger.DisputeResolvedResume] = "The dispute was resolved: the chat is open again.",
        [ChatTrigger.AdminJoined] = "An administrator joined the dispute.",
        [ChatTrigger.DisputeResolved] = "The dispute was resolved.",
        [ChatTrigger.Reopened] = "The dispute was reopened.",
    };

    /// <summary>Builds the machine of a conversation kind over a state held outside it.</summary>
    public static StateMachine<ChatState, ChatTrigger> Create(
        ConversationKind kind, Func<ChatState> stateAccessor, Action<ChatState> stateMutator, TransitionFacts facts)
    {
        var machine = new StateMachine<ChatState, ChatTrigger>(stateAccessor, stateMutator);
        if (kind == ConversationKind.Transaction)
        {
            machine.Configure(ChatState.PendingPayment)
                .Permit(ChatTrigger.PaymentConfirmed, ChatState.Open)
                .Permit(ChatTrigger.Cancelled, ChatState.Closed);
            machine.Configure(ChatState.Open)
                .Permit(ChatTrigger.Completed, ChatState.Closed)
                .Permit(ChatTrigger.Cancelled, ChatState.Closed)
                .Permit(ChatTrigger.Refunded, ChatState.Closed)
                .Permit(ChatTrigger.DisputeOpened, ChatState.Frozen)
                .Permit(ChatTrigger.DisputeReopened, ChatState.Frozen);
            machine.Configure(ChatState.Frozen)
                .Permit(ChatTrigger.DisputeResolvedClose, ChatState.Closed)
                .Permit(ChatTrigger.DisputeResolvedResume, ChatState.Open);
            machine.Configure(ChatState.Closed);
        }
        else
        {
            machine.Configure(ChatState.Open)
                .PermitIf(ChatTrigger.AdminJoined, ChatState.UnderReview, () => facts.ActorIsAdmin, AdminGuardDescription)
                .Permit(ChatTrigger.DisputeResolved, ChatState.Resolved);
            machine.Configure(ChatState.UnderReview)
                .Permit(ChatTrigger.DisputeResolved, ChatState.Resolved);
            machine.Configure(ChatState.Resolved)
                .Permit(ChatTrigger.Reopened, ChatState.Open);
        }

        return machine;
    }

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

    /// <summary>
    /// Decides whether a trigger may fire in <paramref name="from"/>: asks the machine (<c>CanFire</c> with its unmet
    /// guards), and when it may, fires it on a copy of the state to learn where it leads.
    /// </summary>
    public static TransitionDecision Evaluate(ConversationKind kind, ChatState from, ChatTrigger trigger, TransitionFacts facts)
    {
        var state = from;
        var machine = Create(kind, () => state, s => state = s, facts);
        var inLifecycle = StatesOf(kind).Contains(from);
        ICollection<string>? unmetGuards = null;
        if (!inLifecycle || !machine.CanFire(trigger, out unmetGuards))
        {
            // Stateless answers null unmet guards when the state does not handle the trigger at all.
            return TransitionDecision.Refuse(unmetGuards is { Count: > 0 }
                ? $"{Describe(trigger)} is not possible: {string.Join("; ", unmetGuards)} (state {from}, trigger {trigger})."
                : $"{Describe(trigger)} is not possible because {Explain(kind, from)} (state {from}, trigger {trigger}).");
        }

        machine.Fire(trigger);
        return TransitionDecision.Permit(new ChatTransitionRule(kind, from, trigger, state, Announcements[trigger]));
    }

    /// <summary>Finds the transition a trigger takes from a state when every guard is met, or null when the state refuses it.</summary>
    public static ChatTransitionRule? Find(ConversationKind kind, ChatState from, ChatTrigger trigger) =>
        Evaluate(kind, from, trigger, new TransitionFacts(ActorIsAdmin: true)).Rule;

    /// <summary>Renders the machine of one kind as a Mermaid state diagram, with Stateless's own renderer.</summary>
    public static string ToMermaid(ConversationKind kind)
    {
        var state = InitialState(kind);
        var machine = Create(kind, () => state, s => state = s, new TransitionFacts(ActorIsAdmin: true));
        return MermaidGraph.Format(machine.GetInfo()).ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
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
}

/// <summary>The machine's answer: the transition to apply, or the reason for refusing.</summary>
internal readonly record struct TransitionDecision(ChatTransitionRule? Rule, string? RefusalReason)
{
    public bool IsPermitted => Rule is not null;

    public static TransitionDecision Permit(ChatTransitionRule rule) => new(rule, null);

    public static TransitionDecision Refuse(string reason) => new(null, reason);
}

using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;

namespace Marketplace.Chat.Tests.Lifecycle;

public class ChatTransitionTableShould
{
    // DESIGN §2, written out independently of the table: (kind, from, trigger) -> to. Everything else is refused.
    private static readonly Dictionary<(ConversationKind, ChatState, ChatTrigger), ChatState> Expected = new()
    {
        [(ConversationKind.Transaction, ChatState.PendingPayment, ChatTrigger.PaymentConfirmed)] = ChatState.Open,
        [(ConversationKind.Transaction, ChatState.PendingPayment, ChatTrigger.Cancelled)] = ChatState.Closed,
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.Completed)] = ChatState.Closed,
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.Cancelled)] = ChatState.Closed,
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.Refunded)] = ChatState.Closed,
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.DisputeOpened)] = ChatState.Frozen,
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.DisputeReopened)] = ChatState.Frozen,
        [(ConversationKind.Transaction, ChatState.Frozen, ChatTrigger.DisputeResolvedClose)] = ChatState.Closed,
        [(ConversationKind.Transaction, ChatState.Frozen, ChatTrigger.DisputeResolvedResume)] = ChatState.Open,
        [(ConversationKind.Dispute, ChatState.Open, ChatTrigger.AdminJoined)] = ChatState.UnderReview,
        [(ConversationKind.Dispute, ChatState.Open, ChatTrigger.DisputeResolved)] = ChatState.Resolved,
        [(ConversationKind.Dispute, ChatState.UnderReview, ChatTrigger.DisputeResolved)] = ChatState.Resolved,
        [(ConversationKind.Dispute, ChatState.Resolved, ChatTrigger.Reopened)] = ChatState.Open,
    };

    // The trigger travels by name: ChatTrigger is internal, and a public test method cannot take it.
    public static TheoryData<ConversationKind, ChatState, string> EveryPair()
    {
        var data = new TheoryData<ConversationKind, ChatState, string>();
        foreach (var kind in Enum.GetValues<ConversationKind>())
        {
            foreach (var state in Enum.GetValues<ChatState>())
            {
                foreach (var trigger in Enum.GetValues<ChatTrigger>())
                {
                    data.Add(kind, state, trigger.ToString());
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Permit_exactly_the_designed_transitions_and_refuse_the_rest_with_a_reason(
        ConversationKind kind, ChatState state, string triggerName)
    {
        var trigger = Enum.Parse<ChatTrigger>(triggerName);
        var decision = ChatTransitionTable.Evaluate(kind, state, trigger, new TransitionFacts(ActorIsAdmin: true));

        if (Expected.TryGetValue((kind, state, trigger), out var target))
        {
            Assert.True(decision.IsPermitted, decision.RefusalReason);
            Assert.Equal(target, decision.Rule!.To);
            Assert.False(string.IsNullOrWhiteSpace(decision.Rule.Announcement));
        }
        else
        {
            Assert.False(decision.IsPermitted);
            Assert.Contains($"state {state}", decision.RefusalReason, StringComparison.Ordinal);
            Assert.Contains($"trigger {trigger}", decision.RefusalReason, StringComparison.Ordinal);
            Assert.DoesNotContain("  ", decision.RefusalReason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Hold_no_rule_the_design_does_not_list()
    {
        Assert.Equal(Expected.Count, ChatTransitionTable.Rules.Count);
        Assert.Equal(
            ChatTransitionTable.Rules.Count,
            ChatTransitionTable.Rules.Select(r => (r.Kind, r.From, r.Trigger)).Distinct().Count());
    }

    [Fact]
    public void Explain_a_locked_chat_in_words_a_buyer_understands()
    {
        var decision = ChatTransitionTable.Evaluate(
            ConversationKind.Transaction, ChatState.PendingPayment, ChatTrigger.Completed, default);

        Assert.StartsWith("Completing the transaction is not possible because the chat unlocks when payment is confirmed", decision.RefusalReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuse_a_non_admin_joining_a_dispute_by_naming_the_unmet_guard()
    {
        var decision = ChatTransitionTable.Evaluate(
            ConversationKind.Dispute, ChatState.Open, ChatTrigger.AdminJoined, new TransitionFacts(ActorIsAdmin: false));

        Assert.False(decision.IsPermitted);
        Assert.Contains("only a marketplace administrator can join a dispute", decision.RefusalReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Use_only_the_states_and_triggers_of_each_kind()
    {
        foreach (var rule in ChatTransitionTable.Rules)
        {
            Assert.Contains(rule.From, ChatTransitionTable.StatesOf(rule.Kind));
            Assert.Contains(rule.To, ChatTransitionTable.StatesOf(rule.Kind));
            Assert.Contains(rule.Trigger, ChatTransitionTable.TriggersOf(rule.Kind));
        }
    }

    [Fact]
    public void Render_every_rule_in_the_mermaid_diagram()
    {
        var diagram = ChatTransitionTable.ToMermaid(ConversationKind.Transaction);

        Assert.StartsWith("stateDiagram-v2\n", diagram, StringComparison.Ordinal);
        Assert.Contains("[*] --> PendingPayment : TransactionRegistered", diagram, StringComparison.Ordinal);
        Assert.Contains("PendingPayment --> Open : PaymentConfirmed", diagram, StringComparison.Ordinal);
        Assert.Contains("Frozen --> Open : DisputeResolvedResume", diagram, StringComparison.Ordinal);
        Assert.DoesNotContain("AdminJoined", diagram, StringComparison.Ordinal);
        Assert.Contains(
            "Open --> UnderReview : AdminJoined [only a marketplace administrator can join a dispute]",
            ChatTransitionTable.ToMermaid(ConversationKind.Dispute),
            StringComparison.Ordinal);
    }
}

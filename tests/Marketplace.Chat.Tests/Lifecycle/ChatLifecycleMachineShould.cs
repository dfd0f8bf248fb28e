using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;

namespace Marketplace.Chat.Tests.Lifecycle;

public class ChatLifecycleMachineShould
{
    private const string AdminGuard = "only a marketplace administrator can join a dispute";

    // DESIGN §2, written out independently of the machine: (kind, from, trigger) -> (to, guard or null).
    // Everything else is refused by the state.
    private static readonly Dictionary<(ConversationKind, ChatState, ChatTrigger), (ChatState To, string? Guard)> Expected = new()
    {
        [(ConversationKind.Transaction, ChatState.PendingPayment, ChatTrigger.PaymentConfirmed)] = (ChatState.Open, null),
        [(ConversationKind.Transaction, ChatState.PendingPayment, ChatTrigger.Cancelled)] = (ChatState.Closed, null),
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.Completed)] = (ChatState.Closed, null),
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.Cancelled)] = (ChatState.Closed, null),
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.Refunded)] = (ChatState.Closed, null),
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.DisputeOpened)] = (ChatState.Frozen, null),
        [(ConversationKind.Transaction, ChatState.Open, ChatTrigger.DisputeReopened)] = (ChatState.Frozen, null),
        [(ConversationKind.Transaction, ChatState.Frozen, ChatTrigger.DisputeResolvedClose)] = (ChatState.Closed, null),
        [(ConversationKind.Transaction, ChatState.Frozen, ChatTrigger.DisputeResolvedResume)] = (ChatState.Open, null),
        [(ConversationKind.Dispute, ChatState.Open, ChatTrigger.AdminJoined)] = (ChatState.UnderReview, AdminGuard),
        [(ConversationKind.Dispute, ChatState.Open, ChatTrigger.DisputeResolved)] = (ChatState.Resolved, null),
        [(ConversationKind.Dispute, ChatState.UnderReview, ChatTrigger.DisputeResolved)] = (ChatState.Resolved, null),
        [(ConversationKind.Dispute, ChatState.Resolved, ChatTrigger.Reopened)] = (ChatState.Open, null),
    };

    // The trigger travels by name: ChatTrigger is internal, and a public test method cannot take it.
    public static TheoryData<ConversationKind, ChatState, string, bool> EveryPairWithAndWithoutTheGuard()
    {
        var data = new TheoryData<ConversationKind, ChatState, string, bool>();
        foreach (var kind in Enum.GetValues<ConversationKind>())
        {
            foreach (var state in Enum.GetValues<ChatState>())
            {
                foreach (var trigger in Enum.GetValues<ChatTrigger>())
                {
                    data.Add(kind, state, trigger.ToString(), true);
                    data.Add(kind, state, trigger.ToString(), false);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPairWithAndWithoutTheGuard))]
    public void Permit_exactly_the_designed_transitions_and_refuse_the_rest_with_a_reason(
        ConversationKind kind, ChatState state, string triggerName, bool actorIsAdmin)
    {
        var trigger = Enum.Parse<ChatTrigger>(triggerName);
        var decision = ChatLifecycleMachine.Evaluate(kind, state, trigger, new TransitionFacts(actorIsAdmin));

        if (Expected.TryGetValue((kind, state, trigger), out var expected) && (expected.Guard is null || actorIsAdmin))
        {
            Assert.True(decision.IsPermitted, decision.RefusalReason);
            Assert.Equal(expected.To, decision.Rule!.To);
            Assert.Equal(state, decision.Rule.From);
            Assert.Equal(trigger, decision.Rule.Trigger);
            Assert.False(string.IsNullOrWhiteSpace(decision.Rule.Announcement));
        }
        else
        {
            Assert.False(decision.IsPermitted);
            Assert.Contains($"state {state}", decision.RefusalReason, StringComparison.Ordinal);
            Assert.Contains($"trigger {trigger}", decision.RefusalReason, StringComparison.Ordinal);
            Assert.DoesNotContain("  ", decision.RefusalReason, StringComparison.Ordinal);
            if (expected.Guard is { } guard)
            {
                Assert.Contains(guard, decision.RefusalReason, StringComparison.Ordinal);
            }
            else
            {
                Assert.DoesNotContain(AdminGuard, decision.RefusalReason, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(ConversationKind.Transaction)]
    [InlineData(ConversationKind.Dispute)]
    public void Hold_in_its_graph_no_transition_the_design_does_not_list(ConversationKind kind)
    {
        var state = ChatLifecycleMachine.InitialState(kind);
        var info = ChatLifecycleMachine.Create(kind, () => state, s => state = s, new TransitionFacts(true)).GetInfo();

        var inGraph = info.States
            .SelectMany(s => s.FixedTransitions.Select(t => ((ChatState)s.UnderlyingState, (ChatTrigger)t.Trigger.UnderlyingTrigger, (ChatState)t.DestinationState.UnderlyingState)))
            .OrderBy(t => t.ToString())
            .ToList();
        var designed = Expected.Where(e => e.Key.Item1 == kind)
            .Select(e => (e.Key.Item2, e.Key.Item3, e.Value.To))
            .OrderBy(t => t.ToString())
            .ToList();
        Assert.Equal(designed, inGraph);
        Assert.Equal(ChatLifecycleMachine.StatesOf(kind).Order(), info.States.Select(s => (ChatState)s.UnderlyingState).Order());
    }

    [Fact]
    public void Keep_the_state_outside_the_machine_and_write_it_through_the_mutator()
    {
        var row = ChatState.PendingPayment;
        var written = new List<ChatState>();
        var machine = ChatLifecycleMachine.Create(ConversationKind.Transaction, () => row, s => { written.Add(s); row = s; }, default);

        machine.Fire(ChatTrigger.PaymentConfirmed);

        Assert.Equal(ChatState.Open, row);
        Assert.Equal([ChatState.Open], written);
        Assert.False(machine.CanFire(ChatTrigger.PaymentConfirmed));
    }

    [Fact]
    public void Explain_a_locked_chat_in_words_a_buyer_understands()
    {
        var decision = ChatLifecycleMachine.Evaluate(
            ConversationKind.Transaction, ChatState.PendingPayment, ChatTrigger.Completed, default);

        Assert.StartsWith("Completing the transaction is not possible because the chat unlocks when payment is confirmed", decision.RefusalReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuse_a_non_admin_joining_a_dispute_by_naming_the_unmet_guard()
    {
        var decision = ChatLifecycleMachine.Evaluate(
            ConversationKind.Dispute, ChatState.Open, ChatTrigger.AdminJoined, new TransitionFacts(ActorIsAdmin: false));

        Assert.False(decision.IsPermitted);
        Assert.Equal(
            "Joining the dispute is not possible: only a marketplace administrator can join a dispute (state Open, trigger AdminJoined).",
            decision.RefusalReason);
    }

    [Fact]
    public void Use_only_the_states_and_triggers_of_each_kind()
    {
        foreach (var ((kind, from, trigger), (to, _)) in Expected)
        {
            Assert.Contains(from, ChatLifecycleMachine.StatesOf(kind));
            Assert.Contains(to, ChatLifecycleMachine.StatesOf(kind));
            Assert.Contains(trigger, ChatLifecycleMachine.TriggersOf(kind));
        }
    }

    [Fact]
    public void Render_every_transition_in_the_mermaid_diagram()
    {
        var diagram = ChatLifecycleMachine.ToMermaid(ConversationKind.Transaction);

        Assert.StartsWith("stateDiagram-v2\n", diagram, StringComparison.Ordinal);
        Assert.Contains("PendingPayment --> Open : PaymentConfirmed", diagram, StringComparison.Ordinal);
        Assert.Contains("Frozen --> Open : DisputeResolvedResume", diagram, StringComparison.Ordinal);
        Assert.Contains("[*] --> PendingPayment", diagram, StringComparison.Ordinal);
        Assert.DoesNotContain("AdminJoined", diagram, StringComparison.Ordinal);
        Assert.Contains(AdminGuard, ChatLifecycleMachine.ToMermaid(ConversationKind.Dispute), StringComparison.Ordinal);
    }
}

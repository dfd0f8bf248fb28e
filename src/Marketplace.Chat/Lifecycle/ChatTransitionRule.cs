using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Lifecycle;

/// <summary>One row of the transition table: in <see cref="From"/>, <see cref="Trigger"/> leads to <see cref="To"/>.</summary>
internal sealed record ChatTransitionRule(
    ConversationKind Kind,
    ChatState From,
    ChatTrigger Trigger,
    ChatState To,
    string Announcement,
    TransitionGuard? Guard = null);

/// <summary>A condition a rule needs besides the state, with the sentence that explains it when unmet.</summary>
internal sealed record TransitionGuard(string Description, Func<TransitionFacts, bool> IsMet);

/// <summary>What the guards may look at when a trigger fires.</summary>
internal readonly record struct TransitionFacts(bool ActorIsAdmin);

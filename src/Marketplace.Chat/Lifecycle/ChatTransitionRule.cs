using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Lifecycle;

/// <summary>A transition the machine permits: in <see cref="From"/>, <see cref="Trigger"/> leads to <see cref="To"/>.</summary>
internal sealed record ChatTransitionRule(
    ConversationKind Kind,
    ChatState From,
    ChatTrigger Trigger,
    ChatState To,
    string Announcement);

/// <summary>What the guards may look at when a trigger fires.</summary>
internal readonly record struct TransitionFacts(bool ActorIsAdmin);

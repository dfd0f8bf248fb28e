using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Lifecycle;

/// <summary>Describes one committed lifecycle transition.</summary>
/// <param name="Conversation">The conversation after the change.</param>
/// <param name="From">The state before; null when the conversation was created.</param>
/// <param name="To">The state after.</param>
/// <param name="Trigger">What caused it (a trigger name, or <c>Registered</c>).</param>
/// <param name="ActorId">Who caused it, when known.</param>
/// <param name="OccurredAt">When it was committed.</param>
public sealed record ChatStateChange(
    ChatConversationInfo Conversation,
    ChatState? From,
    ChatState To,
    string Trigger,
    string? ActorId,
    DateTimeOffset OccurredAt);

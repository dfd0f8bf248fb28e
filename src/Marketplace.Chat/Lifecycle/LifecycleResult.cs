using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Lifecycle;

/// <summary>What a lifecycle call did.</summary>
/// <param name="Conversation">The conversation the call is about (for disputes, the dispute chat), as it now is.</param>
/// <param name="Applied">False when the event had already been applied (a redelivery) and nothing changed.</param>
/// <param name="Changes">Every transition committed by the call, on any conversation.</param>
public sealed record LifecycleResult(ChatConversationInfo Conversation, bool Applied, IReadOnlyList<ChatStateChange> Changes);

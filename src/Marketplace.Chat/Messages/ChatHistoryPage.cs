namespace Marketplace.Chat.Messages;

/// <summary>One page of history.</summary>
/// <param name="Messages">
/// The messages: newest first for the latest page and for <c>before</c> queries (scrolling back),
/// oldest first for <c>after</c> queries (gap-fill after a reconnect).
/// </param>
/// <param name="HasMore">Whether more messages lie beyond this page in the same direction.</param>
public sealed record ChatHistoryPage(IReadOnlyList<ChatMessage> Messages, bool HasMore);

namespace Marketplace.Chat.Messages;

/// <summary>The result of checking a conversation's hash chain.</summary>
/// <param name="IsIntact">Whether every stored hash matches the content and the previous link.</param>
/// <param name="MessageCount">How many messages were checked.</param>
/// <param name="FirstBrokenSequence">The first message whose hash does not match, when broken.</param>
public sealed record ChainVerification(bool IsIntact, long MessageCount, long? FirstBrokenSequence);

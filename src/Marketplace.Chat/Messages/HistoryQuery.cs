namespace Marketplace.Chat.Messages;

/// <summary>Selects a page of history by sequence number.</summary>
/// <param name="BeforeSequence">Messages strictly before this sequence, newest first.</param>
/// <param name="AfterSequence">Messages strictly after this sequence, oldest first.</param>
/// <param name="Limit">The page size; capped by <c>ChatOptions.MaxHistoryPageSize</c>.</param>
public sealed record HistoryQuery(long? BeforeSequence = null, long? AfterSequence = null, int Limit = 50);

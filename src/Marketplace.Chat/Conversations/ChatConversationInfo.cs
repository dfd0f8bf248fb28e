namespace Marketplace.Chat.Conversations;

/// <summary>Describes a conversation as the host or a participant sees it.</summary>
/// <param name="Id">The conversation id.</param>
/// <param name="Kind">Transaction or dispute chat.</param>
/// <param name="TransactionId">The host's transaction id.</param>
/// <param name="DisputeId">The host's dispute id, for dispute chats.</param>
/// <param name="State">The current lifecycle state.</param>
/// <param name="BuyerId">The buyer's user id.</param>
/// <param name="SellerId">The seller's user id.</param>
/// <param name="LastSequence">The sequence number of the newest message.</param>
/// <param name="Outcome">The outcome of the latest resolution, for resolved disputes.</param>
/// <param name="CreatedAt">When the conversation was created.</param>
public sealed record ChatConversationInfo(
    Guid Id,
    ConversationKind Kind,
    string TransactionId,
    string? DisputeId,
    ChatState State,
    string BuyerId,
    string SellerId,
    long LastSequence,
    DisputeOutcome? Outcome,
    DateTimeOffset CreatedAt);

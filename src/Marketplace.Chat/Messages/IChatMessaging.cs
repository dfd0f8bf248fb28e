using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Reads and writes messages on behalf of an authenticated user. Every call checks access against the conversation's
/// current state; refusals are <see cref="ChatException"/>s with a stable code. The hubs use it, and so may the host.
/// </summary>
public interface IChatMessaging
{
    /// <summary>Gets a conversation as the user sees it, by id.</summary>
    Task<ChatConversationView> GetViewAsync(ChatUser user, Guid conversationId, CancellationToken cancellationToken = default);

    /// <summary>Gets the chat of a transaction as the user sees it.</summary>
    Task<ChatConversationView> GetTransactionViewAsync(ChatUser user, string transactionId, CancellationToken cancellationToken = default);

    /// <summary>Gets the chat of a dispute as the user sees it; an administrator's first look joins them to it.</summary>
    Task<ChatConversationView> GetDisputeViewAsync(ChatUser user, string disputeId, CancellationToken cancellationToken = default);

    /// <summary>Sends a text message; sending again with the same <paramref name="messageId"/> returns the stored message.</summary>
    Task<ChatMessage> SendTextAsync(ChatUser user, Guid conversationId, Guid messageId, string text, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends an image or file message that references the user's own upload to this conversation (uploaded through
    /// <c>POST {prefix}/conversations/{id}/attachments</c>); an upload is sent once. Sending again with the same
    /// <paramref name="messageId"/> returns the stored message.
    /// </summary>
    Task<ChatMessage> SendAttachmentAsync(
        ChatUser user, Guid conversationId, Guid messageId, Guid attachmentId, string? caption = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a page of history by sequence number.</summary>
    Task<ChatHistoryPage> GetHistoryAsync(ChatUser user, Guid conversationId, HistoryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Moves the user's read position forward (never back) and returns the unread count.</summary>
    Task<int> MarkReadAsync(ChatUser user, Guid conversationId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Edits one of the user's own messages by appending an edit entry; the original stays in the log as evidence. Returns the message's new projection.</summary>
    Task<ChatMessage> EditAsync(ChatUser user, Guid conversationId, Guid messageId, string text, CancellationToken cancellationToken = default);

    /// <summary>Deletes one of the user's own messages for everyone by appending a deletion entry; the original stays in the log as evidence.</summary>
    Task<ChatMessage> DeleteAsync(ChatUser user, Guid conversationId, Guid messageId, CancellationToken cancellationToken = default);

    /// <summary>Checks the conversation's log against its keyed hash chain and the head on the conversation row.</summary>
    Task<ChainVerification> VerifyChainAsync(ChatUser user, Guid conversationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the log as written, for administrators only (the dispute chat, and the transaction chat of a disputed
    /// transaction): originals of edited messages and texts of deleted ones, marked, with the chain's verification.
    /// Anyone else gets <see cref="ChatErrorCode.ConversationNotAvailable"/>.
    /// </summary>
    Task<ChatEvidence> GetEvidenceAsync(ChatUser user, Guid conversationId, CancellationToken cancellationToken = default);

    /// <summary>Lists the user's conversations, most recently active first, with unread counts and last-message previews (one query).</summary>
    Task<IReadOnlyList<ChatListItem>> ListConversationsAsync(ChatUser user, int limit = 100, CancellationToken cancellationToken = default);
}

using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Messages;

/// <summary>
/// A conversation's log as written, for the marketplace's administrators: every entry with the text it was written
/// with (originals of edited messages, texts of deleted ones), marked with when it was edited or deleted, and the
/// result of verifying the chain. Never shown to parties.
/// </summary>
/// <param name="Conversation">The conversation.</param>
/// <param name="Entries">Every entry in sequence order.</param>
/// <param name="Verification">The chain's verification, done when the evidence was read.</param>
public sealed record ChatEvidence(ChatConversationInfo Conversation, IReadOnlyList<ChatEvidenceEntry> Entries, ChainVerification Verification);

/// <summary>One entry of the log exactly as written, with what later entries did to it.</summary>
/// <param name="Id">The entry id.</param>
/// <param name="Sequence">Its position in the log.</param>
/// <param name="Kind">What it is.</param>
/// <param name="SystemCode">For system entries the trigger name; for notices the host's code.</param>
/// <param name="SenderId">Who wrote it; null for system entries and notices.</param>
/// <param name="SenderRole">The writer's role in the conversation.</param>
/// <param name="Text">The text as written: a message's original, an edit's new text; null for a deletion.</param>
/// <param name="TargetId">For edits and deletions: the message they change.</param>
/// <param name="TargetSequence">For edits and deletions: the sequence of the message they change.</param>
/// <param name="Attachment">For image and file messages: the attachment, also when the message was deleted.</param>
/// <param name="AttachmentSha256">For image and file messages: the SHA-256 of the attachment the hash covers.</param>
/// <param name="Parameters">For notices: the host's parameters.</param>
/// <param name="EventId">For notices: the host's event id.</param>
/// <param name="CreatedAt">When it was written.</param>
/// <param name="KeyId">The key its hash was made with.</param>
/// <param name="PreviousHash">The hash it links to.</param>
/// <param name="Hash">Its hash.</param>
/// <param name="EditedAt">For messages: when they were last edited (the edits are their own entries), if ever.</param>
/// <param name="DeletedAt">For messages: when they were deleted, if they were.</param>
/// <param name="CurrentText">For messages: the text parties see now; null when deleted.</param>
public sealed record ChatEvidenceEntry(
    Guid Id,
    long Sequence,
    ChatMessageKind Kind,
    string? SystemCode,
    string? SenderId,
    ParticipantRole? SenderRole,
    string? Text,
    Guid? TargetId,
    long? TargetSequence,
    ChatAttachmentInfo? Attachment,
    string? AttachmentSha256,
    IReadOnlyDictionary<string, string>? Parameters,
    string? EventId,
    DateTimeOffset CreatedAt,
    string KeyId,
    string PreviousHash,
    string Hash,
    DateTimeOffset? EditedAt,
    DateTimeOffset? DeletedAt,
    string? CurrentText);

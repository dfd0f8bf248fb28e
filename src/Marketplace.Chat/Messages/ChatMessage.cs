using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Messages;

/// <summary>
/// An entry of a conversation's log as clients see it: a message (projected: current text, edited, deleted), a system
/// entry, a host notice, or an edit or deletion pointing at the message it changes. Text is plain text: render it
/// escaped, never as HTML.
/// </summary>
/// <param name="Id">The message id (the client-supplied idempotency key for user messages).</param>
/// <param name="ConversationId">The conversation it belongs to.</param>
/// <param name="Sequence">Its gap-free position in the conversation, from 1.</param>
/// <param name="Kind">Text, image, file, system, notice, edit or deletion.</param>
/// <param name="SenderId">The author's user id; null for system messages.</param>
/// <param name="SenderRole">The author's role in the conversation; null for system messages.</param>
/// <param name="Text">The current text; null when the message was deleted. For an edit its new text; null for a deletion.</param>
/// <param name="SystemCode">For system entries what happened (a trigger name); for notices the host's code; for clients that translate.</param>
/// <param name="SentAt">When it was stored.</param>
/// <param name="EditedAt">When it was last edited, if ever.</param>
/// <param name="IsDeleted">Whether its author deleted it (the original is kept as evidence).</param>
/// <param name="Hash">Its link in the conversation's tamper-evident hash chain.</param>
/// <param name="AttachmentId">The attachment it carries, for image and file messages.</param>
/// <param name="Attachment">What the attachment is (kind, name, size, type, dimensions, hash), for image and file messages; null once deleted.</param>
/// <param name="TargetId">For an edit or a deletion: the id of the message it changes.</param>
/// <param name="TargetSequence">For an edit or a deletion: the sequence of the message it changes.</param>
/// <param name="Parameters">For a host notice: the host's parameters (e.g. a tracking number).</param>
public sealed record ChatMessage(
    Guid Id,
    Guid ConversationId,
    long Sequence,
    ChatMessageKind Kind,
    string? SenderId,
    ParticipantRole? SenderRole,
    string? Text,
    string? SystemCode,
    DateTimeOffset SentAt,
    DateTimeOffset? EditedAt,
    bool IsDeleted,
    string Hash,
    Guid? AttachmentId,
    ChatAttachmentInfo? Attachment = null,
    Guid? TargetId = null,
    long? TargetSequence = null,
    IReadOnlyDictionary<string, string>? Parameters = null);

using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.Persistence;

/// <summary>
/// One entry of a conversation's append-only log: a message, a system entry, an edit, a deletion or a host notice.
/// Inserted once and never updated; what parties see is a projection over the entries.
/// </summary>
internal sealed class EntryRecord
{
    /// <summary>The client-supplied id for user messages (the idempotency key); generated for every other entry.</summary>
    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    /// <summary>Gap-free per conversation over every kind of entry, from 1.</summary>
    public long Sequence { get; set; }

    public ChatMessageKind Kind { get; set; }

    /// <summary>For system entries the trigger name (or <c>AdminJoined</c>); for host notices the host's code.</summary>
    public string? SystemCode { get; set; }

    public string? SenderId { get; set; }

    public ParticipantRole? SenderRole { get; set; }

    /// <summary>The text as written: a message's original text, an edit's new text; null for a deletion.</summary>
    public string? Text { get; set; }

    /// <summary>For edits and deletions: the entry they change.</summary>
    public Guid? TargetId { get; set; }

    /// <summary>For edits and deletions: the sequence of the entry they change.</summary>
    public long? TargetSequence { get; set; }

    public Guid? AttachmentId { get; set; }

    /// <summary>SHA-256 of the attachment's stored bytes, covered by the entry's hash.</summary>
    public string? AttachmentSha256 { get; set; }

    /// <summary>For host notices: the host's parameters as a JSON object of strings, exactly as hashed.</summary>
    public string? Parameters { get; set; }

    /// <summary>For host notices: the host's event id; a second notice with the same id returns the first.</summary>
    public string? EventId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The id of the host's key the hash was made with.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>The hash of the entry before this one (the genesis value for the first).</summary>
    public string PreviousHash { get; set; } = "";

    /// <summary>Hex HMAC-SHA256 over the previous hash and every field of this entry, with the key <see cref="KeyId"/>.</summary>
    public string Hash { get; set; } = "";
}

namespace Marketplace.Chat.Evidence;

/// <summary>Everything one dispute's evidence bundle holds, gathered before anything is written.</summary>
/// <param name="DisputeId">The host's dispute id.</param>
/// <param name="TransactionId">The host's transaction id the dispute is about.</param>
/// <param name="ExportedAt">When the export was made (UTC).</param>
/// <param name="ExportedBy">The user id of the administrator who exported it.</param>
/// <param name="TransactionChat">The transaction chat's log as written.</param>
/// <param name="DisputeChat">The dispute chat's log as written.</param>
/// <param name="Attachments">Every attachment an entry of either log references.</param>
internal sealed record EvidenceBundleContent(
    string DisputeId,
    string TransactionId,
    DateTimeOffset ExportedAt,
    string ExportedBy,
    EvidenceConversation TransactionChat,
    EvidenceConversation DisputeChat,
    IReadOnlyList<EvidenceAttachment> Attachments);

/// <summary>One conversation's log as written, its head, its transition log and how the database's chain verified.</summary>
internal sealed record EvidenceConversation(
    Guid Id,
    string Kind,
    string TransactionId,
    string? DisputeId,
    string State,
    IReadOnlyList<EvidenceParticipant> Participants,
    EvidenceHead Head,
    IReadOnlyList<EvidenceEntry> Entries,
    IReadOnlyList<EvidenceTransition> Transitions,
    EvidenceChainResult Verification);

/// <summary>A member of a conversation and the role they speak in.</summary>
internal sealed record EvidenceParticipant(string UserId, string Role, DateTimeOffset JoinedAt);

/// <summary>The head stored on the conversation row: the last sequence and the last hash of its log.</summary>
internal sealed record EvidenceHead(long LastSequence, string LastHash);

/// <summary>
/// One log entry exactly as written, every field the entry's MAC covers in the form it covers it (enum names,
/// <see cref="Parameters"/> as the stored JSON text). <see cref="PreviousHash"/> is the hash of the entry before it
/// (the genesis value for the first), which the entry's own <see cref="Hash"/> covers.
/// </summary>
internal sealed record EvidenceEntry(
    long Sequence,
    Guid Id,
    string Kind,
    string? SystemCode,
    string? SenderId,
    string? SenderRole,
    string? Text,
    Guid? TargetId,
    long? TargetSequence,
    Guid? AttachmentId,
    string? AttachmentSha256,
    string? Parameters,
    string? EventId,
    DateTimeOffset CreatedAt,
    string? KeyId,
    string PreviousHash,
    string Hash);

/// <summary>The names of entry kinds as the log writes them.</summary>
internal static class EvidenceEntryKinds
{
    public const string Text = "Text";
    public const string Image = "Image";
    public const string File = "File";
    public const string System = "System";
    public const string Edit = "Edit";
    public const string Deletion = "Deletion";
    public const string Notice = "Notice";
}

/// <summary>One row of a conversation's transition log.</summary>
internal sealed record EvidenceTransition(
    string? FromState,
    string ToState,
    string Trigger,
    string? ActorId,
    string? EventId,
    DateTimeOffset OccurredAt);

/// <summary>How the conversation's chain verified against the database at export time.</summary>
/// <param name="IsIntact">Whether every entry and the head matched.</param>
/// <param name="EntryCount">How many entries were checked.</param>
/// <param name="FirstBrokenSequence">The first entry that did not match, when broken.</param>
/// <param name="Damage">What kind of damage was found (ContentChanged, EntryMissing, ...), when broken.</param>
/// <param name="MacChecked">Whether the keyed MACs were checked (the server holds the key), not only the links.</param>
internal sealed record EvidenceChainResult(bool IsIntact, long EntryCount, long? FirstBrokenSequence, string? Damage, bool MacChecked);

/// <summary>An attachment's metadata and a way to read its bytes (and its preview's, when one was made at upload).</summary>
internal sealed record EvidenceAttachment(
    Guid Id,
    Guid ConversationId,
    string Kind,
    string FileName,
    string ContentType,
    long Length,
    int? Width,
    int? Height,
    string Sha256,
    bool MetadataRemoved,
    DateTimeOffset CreatedAt,
    Func<CancellationToken, Task<Stream?>> OpenContent,
    Func<CancellationToken, Task<Stream?>>? OpenPreview = null,
    string? PreviewContentType = null);

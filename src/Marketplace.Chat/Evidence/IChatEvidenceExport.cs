using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Evidence;

/// <summary>
/// Exports a dispute's evidence: both conversations' logs as written, their transition logs, the attachments, a PDF
/// transcript, a manifest of SHA-256s and the marketplace's signature over it, as one ZIP. Administrators only.
/// </summary>
public interface IChatEvidenceExport
{
    /// <summary>
    /// Writes the evidence bundle of dispute <paramref name="disputeId"/> to <paramref name="output"/>. Nothing is
    /// written when the export is refused: <see cref="ChatErrorCode.ConversationNotAvailable"/> for an unknown
    /// dispute and for anyone who is not an administrator alike; <see cref="ChatErrorCode.EvidenceUnverifiable"/> when
    /// either log does not verify or an attachment's bytes are missing or changed.
    /// </summary>
    /// <param name="disputeId">The host's dispute id.</param>
    /// <param name="exportedBy">The administrator exporting it (recorded in the bundle).</param>
    /// <param name="output">Where the ZIP goes; written once, at the end.</param>
    /// <param name="cancellationToken">Stops the export.</param>
    Task<ChatEvidenceExport> ExportDisputeAsync(string disputeId, ChatUser exportedBy, Stream output, CancellationToken cancellationToken = default);
}

/// <summary>What an export wrote.</summary>
/// <param name="DisputeId">The dispute.</param>
/// <param name="TransactionId">The transaction it is about.</param>
/// <param name="FileName">A file name to offer for the bundle, e.g. <c>evidence-D42-20261201T140000Z.zip</c>.</param>
/// <param name="ExportedAt">When it was exported (UTC), as recorded in the manifest.</param>
/// <param name="SigningKeyId">The id of the key that signed it.</param>
/// <param name="SigningKeyFingerprint">The SHA-256 fingerprint of that key's public key: what a verifier pins.</param>
/// <param name="EntryCount">How many log entries both conversations hold.</param>
/// <param name="AttachmentCount">How many attachments it holds.</param>
public sealed record ChatEvidenceExport(
    string DisputeId,
    string TransactionId,
    string FileName,
    DateTimeOffset ExportedAt,
    string SigningKeyId,
    string SigningKeyFingerprint,
    int EntryCount,
    int AttachmentCount);

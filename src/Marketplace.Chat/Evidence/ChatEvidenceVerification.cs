namespace Marketplace.Chat.Evidence;

/// <summary>What an offline check of an evidence bundle found.</summary>
/// <param name="IsValid">Whether the bundle is intact: signature, every file's hash and size, no file missing or extra, consistent logs.</param>
/// <param name="Problems">Everything that is wrong, each naming the file and, where it applies, the entry; empty when valid.</param>
/// <param name="DisputeId">The dispute the bundle says it is about (from the manifest, when readable).</param>
/// <param name="TransactionId">The transaction the bundle says it is about.</param>
/// <param name="ExportedAt">When the bundle says it was exported.</param>
/// <param name="ExportedBy">Who the bundle says exported it.</param>
/// <param name="SigningKeyId">The key id the manifest names.</param>
/// <param name="SigningKeyFingerprint">The SHA-256 fingerprint of the public key the signature was checked against.</param>
/// <param name="SigningKeyPinned">Whether that key was pinned by the caller (expected key or fingerprint) rather than taken from the bundle.</param>
/// <param name="MacsChecked">Whether the entries' keyed MACs were recomputed (only with the MAC key); otherwise only links, sequences and head.</param>
/// <param name="FileCount">How many files the manifest lists.</param>
/// <param name="EntryCount">How many log entries both logs hold.</param>
public sealed record ChatEvidenceVerification(
    bool IsValid,
    IReadOnlyList<ChatEvidenceProblem> Problems,
    string? DisputeId,
    string? TransactionId,
    DateTimeOffset? ExportedAt,
    string? ExportedBy,
    string? SigningKeyId,
    string? SigningKeyFingerprint,
    bool SigningKeyPinned,
    bool MacsChecked,
    int FileCount,
    long EntryCount);

/// <summary>One thing wrong with an evidence bundle.</summary>
/// <param name="File">The file inside the bundle (e.g. <c>transaction-chat/log.json</c>), or <c>(bundle)</c> for the ZIP itself.</param>
/// <param name="Sequence">The log entry concerned, when the problem is about one.</param>
/// <param name="Description">What is wrong, in a sentence.</param>
public sealed record ChatEvidenceProblem(string File, long? Sequence, string Description)
{
    /// <summary>Returns <c>file: entry #n: description</c>.</summary>
    public override string ToString() => Sequence is { } s ? $"{File}: entry #{s}: {Description}" : $"{File}: {Description}";
}

/// <summary>What an offline check of an evidence bundle should pin and which keys it may use.</summary>
public sealed class ChatEvidenceVerifyOptions
{
    /// <summary>Gets or sets the public key (PEM) the bundle must be signed with; when null, the bundle's own <c>signing-key.pem</c> is used and only reported.</summary>
    public string? ExpectedPublicKeyPem { get; set; }

    /// <summary>Gets or sets the SHA-256 fingerprint (hex; colons, spaces and a <c>sha256:</c> prefix are ignored) the signing key must have.</summary>
    public string? ExpectedFingerprint { get; set; }

    /// <summary>
    /// Gets the conversation-log keys (as registered with <c>AddLogKey</c>/<c>AddRetiredLogKey</c>) by key id. With them,
    /// every entry's keyed MAC is recomputed, which proves the entries were written by the chat and not rewritten since;
    /// without them the verifier checks sequences, links and heads only (which anyone could recompute) and says so.
    /// </summary>
    public IDictionary<string, byte[]> LogKeys { get; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);

}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Marketplace.Chat.Evidence;

/// <summary>The files of a bundle, their JSON shapes and the one serializer setting both the writer and the verifier use.</summary>
internal static class EvidenceFiles
{
    public const string Format = "marketplace-chat-evidence/1";
    public const string SignatureAlgorithm = "ECDSA P-256 with SHA-256, DER signature (RFC 3279), over the bytes of manifest.json";
    public const string Manifest = "manifest.json";
    public const string Signature = "manifest.sig";
    public const string PublicKey = "signing-key.pem";
    public const string Transcript = "transcript.pdf";
    public const string TransactionLog = "transaction-chat/log.json";
    public const string TransactionTransitions = "transaction-chat/transitions.json";
    public const string DisputeLog = "dispute-chat/log.json";
    public const string DisputeTransitions = "dispute-chat/transitions.json";
    public const string AttachmentIndex = "attachments/index.json";

    /// <summary>The "previous hash" of every conversation's first entry.</summary>
    public static readonly string Genesis = Messages.EntryHasher.Genesis;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 16,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string AttachmentPath(Guid id, string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension.Length is < 2 or > 10 || !extension[1..].All(char.IsAsciiLetterOrDigit))
        {
            extension = ".bin";
        }

        return $"attachments/{id:N}{extension}";
    }

    public static string PreviewPath(Guid id, string? contentType) =>
        $"attachments/{id:N}.preview{(contentType == "image/png" ? ".png" : contentType == "image/webp" ? ".webp" : ".jpg")}";
}

/// <summary><c>manifest.json</c>: what was exported, by whom, with which key, and the SHA-256 and size of every other file.</summary>
internal sealed record EvidenceManifest(
    string Format,
    string DisputeId,
    string TransactionId,
    Guid TransactionConversationId,
    Guid DisputeConversationId,
    DateTimeOffset ExportedAt,
    string ExportedBy,
    string SigningKeyId,
    string SigningKeyFingerprint,
    string SignatureAlgorithm,
    IReadOnlyList<EvidenceManifestFile> Files);

/// <summary>One file the manifest vouches for.</summary>
internal sealed record EvidenceManifestFile(string Path, string Sha256, long Length);

/// <summary><c>*/log.json</c>: one conversation's entries as written, its head and the database's chain verification.</summary>
internal sealed record EvidenceLogFile(
    Guid ConversationId,
    string Kind,
    string TransactionId,
    string? DisputeId,
    string State,
    IReadOnlyList<EvidenceParticipant> Participants,
    EvidenceHead Head,
    EvidenceChainResult Verification,
    IReadOnlyList<EvidenceEntry> Entries);

/// <summary><c>*/transitions.json</c>: one conversation's transition log.</summary>
internal sealed record EvidenceTransitionsFile(Guid ConversationId, IReadOnlyList<EvidenceTransition> Transitions);

/// <summary><c>attachments/index.json</c>: the attachments' metadata and where their bytes are in the bundle.</summary>
internal sealed record EvidenceAttachmentIndex(IReadOnlyList<EvidenceAttachmentFile> Attachments);

/// <summary>One attachment's metadata as stored, and its file (and preview) in the bundle.</summary>
internal sealed record EvidenceAttachmentFile(
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
    string Path,
    string? PreviewPath,
    string? PreviewSha256);

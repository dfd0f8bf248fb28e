using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Marketplace.Chat.Evidence;

/// <summary>
/// Writes a dispute's evidence bundle (a ZIP): both logs as written, their transition logs, the attachments, the PDF
/// transcript, the public key, <c>manifest.json</c> with the SHA-256 and size of every other file, and
/// <c>manifest.sig</c>, the signing key's signature over the manifest's bytes.
/// </summary>
internal static class EvidenceBundleWriter
{
    /// <summary>Images larger than this are not read into memory to render a transcript preview.</summary>
    private const long MaxImageBytesForPreview = 64L * 1024 * 1024;

    public static async Task WriteAsync(
        EvidenceBundleContent content,
        ChatEvidenceSigningKey key,
        Stream output,
        string? fontFile = null,
        string? boldFontFile = null,
        CancellationToken cancellationToken = default)
    {
        EvidenceFonts.Install(fontFile, boldFontFile);

        // The ZIP is built in a temporary file (attachments can be large and ZipArchive writes synchronously), then
        // copied to the caller's stream asynchronously.
        await using (var file = EvidenceScratch.Create("build"))
        {
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8))
            {
                var files = new List<EvidenceManifestFile>();
                var stamp = content.ExportedAt;

                void Add(string path, byte[] bytes)
                {
                    var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
                    entry.LastWriteTime = stamp;
                    using (var stream = entry.Open())
                    {
                        stream.Write(bytes);
                    }

                    files.Add(new EvidenceManifestFile(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length));
                }

                Add(EvidenceFiles.TransactionLog, Json(LogFile(content.TransactionChat)));
                Add(EvidenceFiles.TransactionTransitions, Json(new EvidenceTransitionsFile(content.TransactionChat.Id, content.TransactionChat.Transitions)));
                Add(EvidenceFiles.DisputeLog, Json(LogFile(content.DisputeChat)));
                Add(EvidenceFiles.DisputeTransitions, Json(new EvidenceTransitionsFile(content.DisputeChat.Id, content.DisputeChat.Transitions)));

                var index = new List<EvidenceAttachmentFile>();
                var images = new Dictionary<Guid, TranscriptImage>();
                foreach (var attachment in content.Attachments)
                {
                    var path = EvidenceFiles.AttachmentPath(attachment.Id, attachment.FileName);
                    var isImage = attachment.Kind == "Image";
                    var (sha256, length, buffered) = await CopyAttachmentAsync(
                        zip, path, stamp, attachment, keep: isImage && attachment.Length <= MaxImageBytesForPreview, cancellationToken).ConfigureAwait(false);
                    files.Add(new EvidenceManifestFile(path, sha256, length));
                    if (!string.Equals(sha256, attachment.Sha256, StringComparison.OrdinalIgnoreCase) || length != attachment.Length)
                    {
                        throw new ChatException(
                            ChatErrorCode.EvidenceUnverifiable,
                            $"The stored bytes of attachment {attachment.Id:D} ({attachment.FileName}) no longer match the SHA-256 and size recorded when it was uploaded.");
                    }

                    string? previewPath = null;
                    string? previewSha = null;
                    byte[]? preview = null;
                    if (attachment.OpenPreview is not null)
                    {
                        var previewStream = await attachment.OpenPreview(cancellationToken).ConfigureAwait(false);
                        if (previewStream is not null)
                        {
                            await using (previewStream.ConfigureAwait(false))
                            {
                                using var copy = new MemoryStream();
                                await previewStream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
                                preview = copy.ToArray();
                            }

                            previewPath = EvidenceFiles.PreviewPath(attachment.Id, attachment.PreviewContentType);
                            Add(previewPath, preview);
                            previewSha = files[^1].Sha256;
                        }
                    }

                    if (isImage)
                    {
                        images[attachment.Id] = preview is not null && EvidencePreviews.IsEmbeddable(preview)
                            ? new TranscriptImage(preview, null)
                            : buffered is null
                                ? new TranscriptImage(null, "the image is too large to render here; it is in the bundle")
                                : EvidencePreviews.MakeJpeg(buffered, out var reason) is { } made
                                    ? new TranscriptImage(made, null)
                                    : new TranscriptImage(null, reason + "; the original is in the bundle");
                    }

                    index.Add(new EvidenceAttachmentFile(
                        attachment.Id, attachment.ConversationId, attachment.Kind, attachment.FileName, attachment.ContentType,
                        attachment.Length, attachment.Width, attachment.Height, attachment.Sha256.ToLowerInvariant(), attachment.MetadataRemoved,
                        attachment.CreatedAt, path, previewPath, previewSha));
                }

                Add(EvidenceFiles.AttachmentIndex, Json(new EvidenceAttachmentIndex(index)));
                Add(EvidenceFiles.Transcript, EvidenceTranscript.Render(content, key.KeyId, key.Fingerprint, images));
                Add(EvidenceFiles.PublicKey, Encoding.ASCII.GetBytes(key.PublicKeyPem + "\n"));

                var manifest = Json(new EvidenceManifest(
                    EvidenceFiles.Format, content.DisputeId, content.TransactionId, content.TransactionChat.Id, content.DisputeChat.Id,
                    content.ExportedAt, content.ExportedBy, key.KeyId, key.Fingerprint, EvidenceFiles.SignatureAlgorithm, files));
                AddRaw(zip, EvidenceFiles.Manifest, manifest, stamp);
                AddRaw(zip, EvidenceFiles.Signature, key.Sign(manifest), stamp);
            }

            file.Position = 0;
            await file.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
    }

    private static EvidenceLogFile LogFile(EvidenceConversation c) =>
        new(c.Id, c.Kind, c.TransactionId, c.DisputeId, c.State, c.Participants, c.Head, c.Verification, c.Entries);

    private static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, EvidenceFiles.Json);

    private static void AddRaw(ZipArchive zip, string path, byte[] bytes, DateTimeOffset stamp)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        entry.LastWriteTime = stamp;
        using var stream = entry.Open();
        stream.Write(bytes);
    }

    private static async Task<(string Sha256, long Length, byte[]? Buffered)> CopyAttachmentAsync(
        ZipArchive zip, string path, DateTimeOffset stamp, EvidenceAttachment attachment, bool keep, CancellationToken cancellationToken)
    {
        var source = await attachment.OpenContent(cancellationToken).ConfigureAwait(false)
            ?? throw new ChatException(
                ChatErrorCode.EvidenceUnverifiable,
                $"The bytes of attachment {attachment.Id:D} ({attachment.FileName}) are missing from the attachment store.");
        await using (source.ConfigureAwait(false))
        {
            var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
            entry.LastWriteTime = stamp;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var kept = keep ? new MemoryStream() : null;
            long length = 0;
            using (var target = entry.Open())
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    target.Write(buffer, 0, read);
                    kept?.Write(buffer, 0, read);
                    length += read;
                }
            }

            return (Convert.ToHexStringLower(hash.GetHashAndReset()), length, kept?.ToArray());
        }
    }
}

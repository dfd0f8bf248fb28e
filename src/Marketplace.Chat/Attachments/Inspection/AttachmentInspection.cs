namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Holds the verdict of an attachment inspection and the facts about the bytes that were written for storage.
/// </summary>
/// <param name="Accepted">Whether the attachment may be stored.</param>
/// <param name="RejectionCode">The stable refusal code, or <see langword="null"/> when accepted.</param>
/// <param name="RejectionReason">The refusal in words safe to show a user, or <see langword="null"/> when accepted.</param>
/// <param name="Kind">Whether the bytes are a supported raster image or any other file.</param>
/// <param name="ContentType">The type sniffed from the bytes (<c>application/octet-stream</c> when unknown).</param>
/// <param name="Width">The image width as displayed (its EXIF orientation applied), or <see langword="null"/> for files.</param>
/// <param name="Height">The image height as displayed, or <see langword="null"/> for files.</param>
/// <param name="MetadataStripped">Whether metadata was removed from the stored copy.</param>
/// <param name="StoredLength">The number of bytes written to the output.</param>
/// <param name="Sha256">The lowercase hex SHA-256 of the bytes written to the output, or an empty string when rejected.</param>
internal sealed record AttachmentInspection(
    bool Accepted,
    ChatErrorCode? RejectionCode,
    string? RejectionReason,
    AttachmentKind Kind,
    string ContentType,
    int? Width,
    int? Height,
    bool MetadataStripped,
    long StoredLength,
    string Sha256)
{
    /// <summary>Gets the preview drawn for an accepted image, or <see langword="null"/>.</summary>
    public ImageVerdict? Preview { get; init; }

    /// <summary>Gets the EXIF orientation the stored copy keeps (1 when none).</summary>
    public int Orientation { get; init; } = 1;

    /// <summary>Creates a refusal that carries no stored bytes.</summary>
    public static AttachmentInspection Reject(ChatErrorCode code, string reason, AttachmentKind kind, string contentType, int? width = null, int? height = null) =>
        new(false, code, reason, kind, contentType, width, height, false, 0, string.Empty);
}

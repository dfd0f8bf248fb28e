namespace Marketplace.Chat.Attachments;

/// <summary>
/// An accepted attachment as clients see it: enough to lay out an image before it loads and to label a download.
/// Fetch the bytes from <c>GET {prefix}/attachments/{id}</c>.
/// </summary>
/// <param name="Id">The attachment id: what an image or file message references.</param>
/// <param name="Kind">Image (shown inline) or file (offered as a download).</param>
/// <param name="FileName">The uploader's file name, sanitized, for display only; its extension matches the content.</param>
/// <param name="ContentType">The type recognised from the bytes, never the one the uploader declared.</param>
/// <param name="Length">The stored size in bytes (after metadata removal).</param>
/// <param name="Width">The image width in pixels, from its headers; null for files.</param>
/// <param name="Height">The image height in pixels, from its headers; null for files.</param>
/// <param name="Sha256">The lowercase hex SHA-256 of the stored bytes; the message hash chain covers it.</param>
/// <param name="MetadataRemoved">Whether EXIF, GPS, XMP, comments or text chunks were removed from the upload.</param>
public sealed record ChatAttachmentInfo(
    Guid Id,
    AttachmentKind Kind,
    string FileName,
    string ContentType,
    long Length,
    int? Width,
    int? Height,
    string Sha256,
    bool MetadataRemoved);

namespace Marketplace.Chat.Attachments;

/// <summary>
/// An accepted attachment as clients see it: enough to lay out an image before it loads and to label a download.
/// Fetch the bytes from <c>GET {prefix}/attachments/{id}</c> and, for an image, its preview from
/// <c>GET {prefix}/attachments/{id}/preview</c>.
/// </summary>
/// <param name="Id">The attachment id: what an image or file message references.</param>
/// <param name="Kind">Image (shown inline) or file (offered as a download).</param>
/// <param name="FileName">The uploader's file name, sanitized, for display only; its extension matches the content.</param>
/// <param name="ContentType">The type recognised from the bytes, never the one the uploader declared.</param>
/// <param name="Length">The stored size in bytes (after metadata removal).</param>
/// <param name="Width">The image width in pixels as displayed (its EXIF orientation applied); null for files.</param>
/// <param name="Height">The image height in pixels as displayed; null for files.</param>
/// <param name="Sha256">The lowercase hex SHA-256 of the stored bytes; the message hash chain covers it.</param>
/// <param name="MetadataRemoved">Whether EXIF, GPS, XMP, comments or text chunks were removed from the upload.</param>
/// <param name="Preview">The small re-encoded copy of an image for chat bubbles; null for files.</param>
public sealed record ChatAttachmentInfo(
    Guid Id,
    AttachmentKind Kind,
    string FileName,
    string ContentType,
    long Length,
    int? Width,
    int? Height,
    string Sha256,
    bool MetadataRemoved,
    ChatAttachmentPreview? Preview = null);

/// <summary>
/// The preview of an image attachment: re-encoded without metadata, upright, at most
/// <see cref="AttachmentOptions.PreviewMaxSide"/> pixels on its long side (the first frame of an animation).
/// Fetch it from <c>GET {prefix}/attachments/{id}/preview</c>, with the same access rule as the original.
/// </summary>
/// <param name="ContentType">The preview's type: <c>image/jpeg</c> for opaque pictures, <c>image/png</c> otherwise.</param>
/// <param name="Width">The preview's width in pixels.</param>
/// <param name="Height">The preview's height in pixels.</param>
/// <param name="Length">The preview's size in bytes.</param>
public sealed record ChatAttachmentPreview(string ContentType, int Width, int Height, long Length);

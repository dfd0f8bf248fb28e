using Marketplace.Chat.Attachments;

namespace Marketplace.Chat.Persistence;

/// <summary>
/// An accepted upload. Which message references it lives in one place, <see cref="EntryRecord.AttachmentId"/>
/// (unique, with a foreign key to this row): the database itself keeps an attachment to one message, and keeps a
/// referenced attachment from being swept.
/// </summary>
internal sealed class AttachmentRecord
{
    public Guid Id { get; set; }

    /// <summary>The conversation it was uploaded to; only a message in that conversation may reference it.</summary>
    public Guid ConversationId { get; set; }

    /// <summary>The authenticated user who uploaded it; only they may reference it.</summary>
    public string UploaderId { get; set; } = "";

    public AttachmentKind Kind { get; set; }

    /// <summary>The sanitized original name, for display only.</summary>
    public string FileName { get; set; } = "";

    /// <summary>The type recognised from the bytes.</summary>
    public string ContentType { get; set; } = "";

    /// <summary>The stored size in bytes.</summary>
    public long Length { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    /// <summary>Lowercase hex SHA-256 of the stored bytes.</summary>
    public string Sha256 { get; set; } = "";

    public bool MetadataRemoved { get; set; }

    /// <summary>The key the <see cref="IChatAttachmentStore"/> generated; never derived from user input.</summary>
    public string StorageKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The store key of the preview of an image, or null for files.</summary>
    public string? PreviewKey { get; set; }

    public string? PreviewContentType { get; set; }

    public int? PreviewWidth { get; set; }

    public int? PreviewHeight { get; set; }

    /// <summary>The preview's size in bytes (0 without one); counted with <see cref="Length"/> against the storage quotas.</summary>
    public long PreviewLength { get; set; }

    /// <summary>Projects the row to what clients see.</summary>
    public ChatAttachmentInfo ToInfo() => new(
        Id,
        Kind,
        FileName,
        ContentType,
        Length,
        Width,
        Height,
        Sha256,
        MetadataRemoved,
        PreviewKey is null ? null : new ChatAttachmentPreview(PreviewContentType ?? "", PreviewWidth ?? 0, PreviewHeight ?? 0, PreviewLength));
}

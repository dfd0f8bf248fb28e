namespace Marketplace.Chat.Attachments;

/// <summary>
/// Configures the limits and the allow-lists the attachment inspection applies to uploaded bytes.
/// </summary>
public sealed class AttachmentOptions
{
    private const long MiB = 1024 * 1024;

    /// <summary>Gets or sets the largest image, in bytes, that is accepted (default 10 MiB).</summary>
    public long MaxImageBytes { get; set; } = 10 * MiB;

    /// <summary>Gets or sets the largest non-image file, in bytes, that is accepted (default 25 MiB).</summary>
    public long MaxFileBytes { get; set; } = 25 * MiB;

    /// <summary>Gets or sets the largest number of pixels (width × height, from the headers) an image may declare (default 40,000,000).</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Gets or sets the image types, recognised from content, that are accepted (case-insensitive; default JPEG, PNG, GIF and WebP).</summary>
    public ISet<string> AllowedImageTypes { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
    };

    /// <summary>Gets or sets the non-image types, recognised from content, that are accepted (case-insensitive; default PDF, plain text, DOCX, XLSX, ODT and ZIP).</summary>
    public ISet<string> AllowedFileTypes { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "application/pdf",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/zip",
    };

    /// <summary>Gets or sets the total number of bytes the entries of a ZIP-based file may expand to while it is inspected (default 100 MiB).</summary>
    public long MaxArchiveExpandedBytes { get; set; } = 100 * MiB;

    /// <summary>Gets or sets the largest number of entries a ZIP-based file may hold (default 1000).</summary>
    public int MaxArchiveEntries { get; set; } = 1000;

    /// <summary>Gets or sets the largest expanded-to-compressed ratio of an archive entry larger than 1 MiB (default 100).</summary>
    public double MaxArchiveCompressionRatio { get; set; } = 100;

    /// <summary>
    /// Gets or sets the folder where the built-in file-system store keeps attachments; a relative path is resolved against
    /// the host's content root. Defaults to <see langword="null"/>: <c>App_Data/chat-attachments</c> under the content root.
    /// Keep it outside any folder the host serves as static files: attachments are only ever served through the download endpoint.
    /// </summary>
    public string? StorageRoot { get; set; }

    /// <summary>Gets or sets how long an upload that no message references is kept before it is removed (default 24 hours).</summary>
    public TimeSpan UnreferencedUploadLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how often the background sweep looks for expired unreferenced uploads (default 1 hour).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many uploads one user may have waiting to be referenced by a message at a time (default 20).</summary>
    public int MaxPendingUploadsPerUser { get; set; } = 20;
}

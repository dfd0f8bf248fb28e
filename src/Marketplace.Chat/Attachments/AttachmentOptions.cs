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

    /// <summary>Gets or sets the most frames an animated GIF or WebP may have (default 200); all frames together are also held to <see cref="MaxImagePixels"/>.</summary>
    public int MaxImageFrames { get; set; } = 200;

    /// <summary>Gets or sets how long decoding one image may take before it is refused (default 10 seconds).</summary>
    public TimeSpan ImageDecodeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many images this server decodes at once; further uploads wait their turn (default 2).</summary>
    public int MaxConcurrentImageDecodes { get; set; } = 2;

    /// <summary>Gets or sets the longest side, in pixels, of the preview drawn for every image (default 640).</summary>
    public int PreviewMaxSide { get; set; } = 640;

    /// <summary>Gets or sets how long the structure of one PDF may be inspected before it is refused (default 10 seconds).</summary>
    public TimeSpan DocumentInspectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

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

    /// <summary>Gets or sets how many uploads one user may have in flight (being received or inspected) at a time (default 3).</summary>
    public int MaxConcurrentUploadsPerUser { get; set; } = 3;

    /// <summary>Gets or sets how many bytes (originals and previews) one user's uploads may occupy in storage in total (default 2 GiB).</summary>
    public long MaxStoredBytesPerUser { get; set; } = 2048 * MiB;

    /// <summary>Gets or sets how many bytes (originals and previews) the uploads of one conversation may occupy in storage (default 1 GiB).</summary>
    public long MaxStoredBytesPerConversation { get; set; } = 1024 * MiB;

    /// <summary>
    /// Gets or sets how much inspection time a user's rejected uploads may cost within <see cref="RejectedInspectionWindow"/>
    /// before further uploads are refused until the window moves on (default 20 seconds).
    /// </summary>
    public TimeSpan RejectedInspectionBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets the window <see cref="RejectedInspectionBudget"/> applies to (default 10 minutes).</summary>
    public TimeSpan RejectedInspectionWindow { get; set; } = TimeSpan.FromMinutes(10);
}

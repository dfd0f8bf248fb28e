using System.Buffers;
using System.Globalization;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Decides from the bytes alone (never the file name or the declared type) whether an upload is an allowed
/// attachment, and writes the copy to store: images with their metadata removed (the orientation kept), other files
/// unchanged; for images it also draws the preview.
/// </summary>
/// <remarks>
/// Order of the checks: the size limit of the kind the bytes belong to, the type against the allow-list, then the
/// format's own rules (image pixel cap, structure, frames, entropy data and a full decode; archive bounds and macros;
/// PDF active content in the raw bytes and in every parsed object; UTF-8 text), and last the SHA-256 of what was
/// written. The instance holds no per-call state besides the decode gate and may be shared.
/// </remarks>
internal sealed class AttachmentInspector : IDisposable
{
    /// <summary>The image types whose structure the inspector can verify and strip.</summary>
    internal static readonly IReadOnlySet<string> SupportedImageTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "image/jpeg", "image/png", "image/gif", "image/webp",
    };

    /// <summary>The file types the inspector can recognise and verify.</summary>
    internal static readonly IReadOnlySet<string> SupportedFileTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "application/pdf",
        "text/plain",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    };

    private const int CopyBufferLength = 81920;

    private readonly AttachmentOptions _options;
    private readonly HashSet<string> _allowedImageTypes;
    private readonly HashSet<string> _allowedFileTypes;
    private readonly ZipPackageInspector _packages;
    private readonly ImageVerifier _images;

    /// <summary>Initializes a new instance that applies the given limits and allow-lists.</summary>
    /// <exception cref="InvalidOperationException">The options hold a limit that is not positive or a type the inspector cannot verify.</exception>
    public AttachmentInspector(AttachmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequirePositive(options.MaxImageBytes, nameof(options.MaxImageBytes));
        RequirePositive(options.MaxFileBytes, nameof(options.MaxFileBytes));
        RequirePositive(options.MaxImagePixels, nameof(options.MaxImagePixels));
        RequirePositive(options.MaxArchiveExpandedBytes, nameof(options.MaxArchiveExpandedBytes));
        RequirePositive(options.MaxArchiveEntries, nameof(options.MaxArchiveEntries));
        if (!(options.MaxArchiveCompressionRatio >= 1))
        {
            throw new InvalidOperationException(
                $"AttachmentOptions.{nameof(options.MaxArchiveCompressionRatio)} must be at least 1; set a ratio such as 100.");
        }

        RequirePositive(options.MaxImageFrames, nameof(options.MaxImageFrames));
        RequirePositive(options.PreviewMaxSide, nameof(options.PreviewMaxSide));
        _options = options;
        _allowedImageTypes = CopySupported(options.AllowedImageTypes, SupportedImageTypes, nameof(options.AllowedImageTypes));
        _allowedFileTypes = CopySupported(options.AllowedFileTypes, SupportedFileTypes, nameof(options.AllowedFileTypes));
        _packages = new ZipPackageInspector(options);
        _images = new ImageVerifier(options);
    }

    /// <inheritdoc />
    public void Dispose() => _images.Dispose();

    /// <summary>Inspects the whole of <paramref name="content"/> from its start and writes the bytes to store into <paramref name="output"/>.</summary>
    /// <param name="content">A readable, seekable stream holding the upload.</param>
    /// <param name="output">The stream that receives the bytes to store; its content is meaningless when the upload is rejected.</param>
    /// <param name="cancellationToken">Stops the inspection.</param>
    /// <returns>The verdict, with the facts about the stored bytes when accepted.</returns>
    public async Task<AttachmentInspection> InspectAsync(Stream content, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(output);
        if (!content.CanRead || !content.CanSeek)
        {
            throw new ArgumentException("The content stream must be readable and seekable.", nameof(content));
        }

        var length = content.Length;
        if (length == 0)
        {
            return AttachmentInspection.Reject(ChatErrorCode.AttachmentEmpty, "The file is empty.", AttachmentKind.File, ContentSniffer.UnknownType);
        }

        // Only the first few KiB are read before the size check, whatever the length.
        var head = new byte[(int)Math.Min(length, ContentSniffer.HeadLength)];
        content.Position = 0;
        await content.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        var sniffed = ContentSniffer.Sniff(head);
        var kind = sniffed.Kind;
        var limit = kind == AttachmentKind.Image ? _options.MaxImageBytes : _options.MaxFileBytes;
        if (length > limit)
        {
            var what = kind == AttachmentKind.Image ? "image" : "file";
            return AttachmentInspection.Reject(
                ChatErrorCode.AttachmentTooLarge, $"The {what} is larger than the {DescribeBytes(limit)} allowed.", kind, sniffed.ContentType);
        }

        content.Position = 0;
        return sniffed.Format switch
        {
            ContentFormat.Jpeg or ContentFormat.Png or ContentFormat.Gif or ContentFormat.WebP =>
                await InspectImageAsync(content, length, sniffed, output, cancellationToken).ConfigureAwait(false),
            ContentFormat.Pdf => await InspectPdfAsync(content, output, cancellationToken).ConfigureAwait(false),
            ContentFormat.Zip => await InspectPackageAsync(content, output, cancellationToken).ConfigureAwait(false),
            ContentFormat.Text => await InspectTextAsync(content, output, cancellationToken).ConfigureAwait(false),
            ContentFormat.Executable => TypeNotAllowed(sniffed.ContentType, "Executable files are not allowed."),
            _ => TypeNotAllowed(sniffed.ContentType),
        };
    }

    private static void RequirePositive(long value, string name)
    {
        if (value <= 0)
        {
            throw new InvalidOperationException($"AttachmentOptions.{name} must be greater than zero.");
        }
    }

    private static HashSet<string> CopySupported(ISet<string>? allowed, IReadOnlySet<string> supported, string name)
    {
        if (allowed is null)
        {
            throw new InvalidOperationException($"AttachmentOptions.{name} must not be null; clear the set to allow none.");
        }

        var unsupported = allowed.Where(type => !supported.Contains(type)).ToList();
        if (unsupported.Count > 0)
        {
            throw new InvalidOperationException(
                $"AttachmentOptions.{name} contains {string.Join(", ", unsupported)}, which the attachment inspection cannot verify. "
                + $"Supported types are: {string.Join(", ", supported.Order(StringComparer.Ordinal))}.");
        }

        return new HashSet<string>(allowed, StringComparer.OrdinalIgnoreCase);
    }

    internal static string DescribeBytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)} MiB"),
        >= 1024 when bytes % 1024 == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes"),
    };

    private static AttachmentInspection TypeNotAllowed(string contentType, string reason = "Files of this type are not allowed.") =>
        AttachmentInspection.Reject(ChatErrorCode.AttachmentTypeNotAllowed, reason, AttachmentKind.File, contentType);

    private static AttachmentInspection Accept(AttachmentKind kind, string contentType, HashingSink sink, int? width = null, int? height = null, bool stripped = false) =>
        new(true, null, null, kind, contentType, width, height, stripped, sink.Length, sink.FinishHex());

    /// <summary>Copies the content to the sink in chunks, letting <paramref name="observe"/> see each chunk (and a final empty one).</summary>
    private static async Task CopyAsync(Stream content, HashingSink sink, Action<ReadOnlyMemory<byte>, bool> observe, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferLength);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, CopyBufferLength), cancellationToken).ConfigureAwait(false)) > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                observe(chunk, false);
                await sink.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }

            observe(ReadOnlyMemory<byte>.Empty, true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<AttachmentInspection> InspectImageAsync(
        Stream content, long length, SniffedContent sniffed, Stream output, CancellationToken cancellationToken)
    {
        if (!_allowedImageTypes.Contains(sniffed.ContentType))
        {
            return AttachmentInspection.Reject(
                ChatErrorCode.AttachmentTypeNotAllowed, "Images of this type are not allowed.", AttachmentKind.Image, sniffed.ContentType);
        }

        // Images are at most MaxImageBytes, so holding one in memory is bounded; nothing is decoded before the pixel cap.
        var image = new byte[length];
        await content.ReadExactlyAsync(image, cancellationToken).ConfigureAwait(false);
        var layout = sniffed.Format switch
        {
            ContentFormat.Jpeg => JpegContainer.Read(image),
            ContentFormat.Png => PngContainer.Read(image),
            ContentFormat.Gif => GifContainer.Read(image),
            _ => WebPContainer.Read(image),
        };

        var (shownWidth, shownHeight) = ImageVerifier.Displayed(layout.Width, layout.Height, layout.Orientation);
        int? width = shownWidth > 0 ? (int)Math.Min(shownWidth, int.MaxValue) : null;
        int? height = shownHeight > 0 ? (int)Math.Min(shownHeight, int.MaxValue) : null;
        if (layout.Width * layout.Height > _options.MaxImagePixels)
        {
            return AttachmentInspection.Reject(
                ChatErrorCode.ImageTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"The image is {layout.Width} × {layout.Height} pixels, more than the {_options.MaxImagePixels:N0} pixels allowed."),
                AttachmentKind.Image,
                sniffed.ContentType,
                width,
                height);
        }

        switch (layout.Problem)
        {
            case ChatErrorCode.ImageTrailingData:
                return AttachmentInspection.Reject(
                    ChatErrorCode.ImageTrailingData, "The image carries extra data after its end and cannot be accepted.", AttachmentKind.Image, sniffed.ContentType, width, height);
            case not null:
                return AttachmentInspection.Reject(
                    ChatErrorCode.ImageMalformed, "The image is damaged or incomplete.", AttachmentKind.Image, sniffed.ContentType, width, height);
        }

        // Every frame is decoded onto a full canvas: frames × canvas is what a decode costs.
        if (layout.Frames > _options.MaxImageFrames || layout.Frames * layout.Width * layout.Height > _options.MaxImagePixels)
        {
            return AttachmentInspection.Reject(
                ChatErrorCode.ImageTooManyFrames,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The animation has {layout.Frames} frames of {layout.Width} × {layout.Height} pixels; at most {_options.MaxImageFrames} frames and {_options.MaxImagePixels:N0} pixels over all frames are allowed."),
                AttachmentKind.Image,
                sniffed.ContentType,
                width,
                height);
        }

        if (layout.AnimatedFrames)
        {
            // ImageSharp 2.1 cannot decode animated WebP, and what is not decoded is not accepted.
            return AttachmentInspection.Reject(
                ChatErrorCode.AttachmentTypeNotAllowed,
                "Animated WebP images are not supported; send an animated GIF or a still image.",
                AttachmentKind.Image,
                sniffed.ContentType,
                width,
                height);
        }

        var stored = Concatenate(layout.Parts);
        if (sniffed.Format == ContentFormat.Jpeg && !JpegEntropyCheck.Decodes(stored))
        {
            return AttachmentInspection.Reject(
                ChatErrorCode.ImageMalformed, "The image is damaged and cannot be displayed.", AttachmentKind.Image, sniffed.ContentType, width, height);
        }

        var decoded = await _images.VerifyAsync(stored, sniffed.Format, layout, cancellationToken).ConfigureAwait(false);
        if (decoded.Problem is { } problem)
        {
            return AttachmentInspection.Reject(problem, decoded.Reason!, AttachmentKind.Image, sniffed.ContentType, width, height);
        }

        using var sink = new HashingSink(output);
        await sink.WriteAsync(stored, cancellationToken).ConfigureAwait(false);
        return Accept(AttachmentKind.Image, sniffed.ContentType, sink, width, height, layout.MetadataStripped) with
        {
            Preview = decoded,
            Orientation = layout.Orientation,
        };
    }

    private static byte[] Concatenate(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        var whole = new byte[parts.Sum(part => (long)part.Length)];
        var position = 0;
        foreach (var part in parts)
        {
            part.Span.CopyTo(whole.AsSpan(position));
            position += part.Length;
        }

        return whole;
    }

    private async Task<AttachmentInspection> InspectPdfAsync(Stream content, Stream output, CancellationToken cancellationToken)
    {
        const string pdf = "application/pdf";
        if (!_allowedFileTypes.Contains(pdf))
        {
            return TypeNotAllowed(pdf);
        }

        // PDFs are at most MaxFileBytes; PdfPig reads the document from memory.
        var document = new byte[content.Length];
        await content.ReadExactlyAsync(document, cancellationToken).ConfigureAwait(false);
        var scanner = new PdfActiveContentScanner();
        scanner.Append(document);
        scanner.Complete();
        var found = scanner.Found
            ? PdfScanResult.ActiveContent
            : await Task.Run(() => PdfStructureScanner.Scan(document, _options.DocumentInspectionTimeout, cancellationToken), cancellationToken).ConfigureAwait(false);
        switch (found)
        {
            case PdfScanResult.ActiveContent:
                return AttachmentInspection.Reject(
                    ChatErrorCode.ActiveContentNotAllowed,
                    "PDF files with scripts, launch actions, embedded files, forms that submit or rich media are not allowed.",
                    AttachmentKind.File,
                    pdf);
            case PdfScanResult.Malformed:
                return AttachmentInspection.Reject(
                    ChatErrorCode.DocumentMalformed, "The PDF is damaged or protected by a password and cannot be checked.", AttachmentKind.File, pdf);
            case PdfScanResult.TooComplex:
                return AttachmentInspection.Reject(
                    ChatErrorCode.DocumentMalformed, "The PDF is too complex to be checked within the limits.", AttachmentKind.File, pdf);
        }

        using var sink = new HashingSink(output);
        await sink.WriteAsync(document, cancellationToken).ConfigureAwait(false);
        return Accept(AttachmentKind.File, pdf, sink);
    }

    private async Task<AttachmentInspection> InspectPackageAsync(Stream content, Stream output, CancellationToken cancellationToken)
    {
        var verdict = await _packages.InspectAsync(content, cancellationToken).ConfigureAwait(false);
        if (verdict.Problem is { } problem)
        {
            return AttachmentInspection.Reject(problem, verdict.Reason!, AttachmentKind.File, verdict.ContentType);
        }

        if (!_allowedFileTypes.Contains(verdict.ContentType))
        {
            return TypeNotAllowed(verdict.ContentType);
        }

        content.Position = 0;
        using var sink = new HashingSink(output);
        await CopyAsync(content, sink, static (_, _) => { }, cancellationToken).ConfigureAwait(false);
        return Accept(AttachmentKind.File, verdict.ContentType, sink);
    }

    private async Task<AttachmentInspection> InspectTextAsync(Stream content, Stream output, CancellationToken cancellationToken)
    {
        const string text = "text/plain";
        if (!_allowedFileTypes.Contains(text))
        {
            return TypeNotAllowed(text);
        }

        var validator = new TextContentValidator();
        using var sink = new HashingSink(output);
        await CopyAsync(content, sink, (chunk, final) => validator.Append(chunk.Span, final), cancellationToken).ConfigureAwait(false);
        if (validator.IsBinary)
        {
            return TypeNotAllowed(ContentSniffer.UnknownType);
        }

        return validator.IsUtf8
            ? Accept(AttachmentKind.File, text, sink)
            : AttachmentInspection.Reject(ChatErrorCode.TextNotUtf8, "Text files must be encoded as UTF-8.", AttachmentKind.File, text);
    }
}

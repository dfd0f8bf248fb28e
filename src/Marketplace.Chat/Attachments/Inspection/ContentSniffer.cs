using System.Buffers.Binary;
using System.Text;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Names the container a file claims to be from its first bytes; the per-format inspection then proves it.
/// </summary>
/// <remarks>
/// Hand-written signatures rather than Mime-Detective: every accepted format is walked structurally anyway, and
/// plain text (which has no signature) needs its own rules, such as not taking a letter that starts with "Obj" for
/// an Avro container.
/// </remarks>
internal static class ContentSniffer
{
    /// <summary>The number of leading bytes the sniffer looks at.</summary>
    public const int HeadLength = 4096;

    /// <summary>The type reported when the bytes match nothing known.</summary>
    public const string UnknownType = "application/octet-stream";

    private static readonly string[] HtmlOpenings =
        ["<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<meta", "<style", "<object", "<embed"];

    private static ReadOnlySpan<byte> CompoundFileSignature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>Recognises the container from the leading bytes of the content.</summary>
    public static SniffedContent Sniff(ReadOnlySpan<byte> head)
    {
        if (JpegContainer.HasSignature(head))
        {
            return new(ContentFormat.Jpeg, "image/jpeg");
        }

        if (PngContainer.HasSignature(head))
        {
            return new(ContentFormat.Png, "image/png");
        }

        if (GifContainer.HasSignature(head))
        {
            return new(ContentFormat.Gif, "image/gif");
        }

        if (WebPContainer.HasSignature(head))
        {
            return new(ContentFormat.WebP, "image/webp");
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return new(ContentFormat.Pdf, "application/pdf");
        }

        if (head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8))
        {
            return new(ContentFormat.Zip, "application/zip");
        }

        if (head.StartsWith("\u007fELF"u8))
        {
            return new(ContentFormat.Executable, "application/x-executable");
        }

        if (IsPortableExecutable(head))
        {
            return new(ContentFormat.Executable, "application/vnd.microsoft.portable-executable");
        }

        if (head.StartsWith(CompoundFileSignature))
        {
            // Legacy Office (OLE2 compound file): may carry VBA macros that are not inspected.
            return new(ContentFormat.Other, "application/x-ole-storage");
        }

        if (TextContentValidator.ContainsBinaryBytes(head))
        {
            return new(ContentFormat.Other, UnknownType);
        }

        return DetectMarkup(head) ?? new(ContentFormat.Text, "text/plain");
    }

    private static bool IsPortableExecutable(ReadOnlySpan<byte> head)
    {
        if (head.Length < 0x40 || !head.StartsWith("MZ"u8))
        {
            return false;
        }

        var peOffset = BinaryPrimitives.ReadUInt32LittleEndian(head[0x3C..]);
        return peOffset <= (uint)(head.Length - 4) && head.Slice((int)peOffset, 4).SequenceEqual("PE\0\0"u8);
    }

    /// <summary>Recognises HTML and SVG, which browsers run scripts in, even though they are valid text.</summary>
    private static SniffedContent? DetectMarkup(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF').TrimStart();
        if (text.StartsWith("<svg", StringComparison.OrdinalIgnoreCase))
        {
            return new(ContentFormat.Markup, "image/svg+xml");
        }

        foreach (var opening in HtmlOpenings)
        {
            if (text.StartsWith(opening, StringComparison.OrdinalIgnoreCase))
            {
                return new(ContentFormat.Markup, "text/html");
            }
        }

        if (text.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) || text.StartsWith("<!", StringComparison.Ordinal))
        {
            // A prolog, comment or doctype may come first: look for the root element further in.
            if (text.Contains("<svg", StringComparison.OrdinalIgnoreCase))
            {
                return new(ContentFormat.Markup, "image/svg+xml");
            }

            if (text.Contains("<html", StringComparison.OrdinalIgnoreCase) || text.Contains("<script", StringComparison.OrdinalIgnoreCase))
            {
                return new(ContentFormat.Markup, "text/html");
            }
        }

        return null;
    }
}

/// <summary>Names the container families the inspector knows how to verify or refuse.</summary>
internal enum ContentFormat
{
    /// <summary>A known type that is never accepted, or bytes that are not text.</summary>
    Other,

    /// <summary>A JPEG image.</summary>
    Jpeg,

    /// <summary>A PNG image.</summary>
    Png,

    /// <summary>A GIF image.</summary>
    Gif,

    /// <summary>A WebP image.</summary>
    WebP,

    /// <summary>A PDF document.</summary>
    Pdf,

    /// <summary>A ZIP archive, possibly an OOXML or ODF package.</summary>
    Zip,

    /// <summary>Text without a signature, still to be proven UTF-8.</summary>
    Text,

    /// <summary>HTML or SVG: text that a browser would run scripts in.</summary>
    Markup,

    /// <summary>A native executable (ELF or PE).</summary>
    Executable,
}

/// <summary>Pairs the recognised container with the type to report.</summary>
/// <param name="Format">The container family.</param>
/// <param name="ContentType">The type to report for the bytes.</param>
internal readonly record struct SniffedContent(ContentFormat Format, string ContentType)
{
    /// <summary>Gets whether the bytes are a supported raster image or any other file.</summary>
    public AttachmentKind Kind => Format is ContentFormat.Jpeg or ContentFormat.Png or ContentFormat.Gif or ContentFormat.WebP
        ? AttachmentKind.Image
        : AttachmentKind.File;
}

using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace Marketplace.Chat.Evidence;

/// <summary>
/// Makes the small, upright, metadata-free JPEG the transcript shows for an image that came without a usable preview.
/// </summary>
internal static class EvidencePreviews
{
    /// <summary>The longest side of a made preview, in pixels (twice the size it is printed at, for print quality).</summary>
    public const int MaxSide = 400;

    /// <summary>Images larger than this many pixels are not decoded for a preview (the upload limit is lower).</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Returns JPEG preview bytes, or null with the reason when the image cannot be shown.</summary>
    public static byte[]? MakeJpeg(byte[] image, out string? reason)
    {
        reason = null;
        try
        {
            var info = Image.Identify(image);
            if (info is null)
            {
                reason = "the image format is not recognised";
                return null;
            }

            if ((long)info.Width * info.Height > MaxPixels)
            {
                reason = $"the image is too large to render ({info.Width}×{info.Height} pixels)";
                return null;
            }

            using var decoded = Image.Load(image);
            decoded.Mutate(x => x.AutoOrient().Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(MaxSide, MaxSide) }));
            decoded.Metadata.ExifProfile = null;
            decoded.Metadata.XmpProfile = null;
            decoded.Metadata.IccProfile = null;
            decoded.Metadata.IptcProfile = null;
            using var output = new MemoryStream();
            decoded.SaveAsJpeg(output, new JpegEncoder { Quality = 80 });
            return output.ToArray();
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException)
        {
            reason = "the image could not be decoded";
            return null;
        }
    }

    /// <summary>Whether PDFsharp can embed these bytes as they are (JPEG or PNG).</summary>
    public static bool IsEmbeddable(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ||
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
}

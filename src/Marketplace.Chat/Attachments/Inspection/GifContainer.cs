using System.Buffers.Binary;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Walks the blocks of a GIF without decompressing frames: reads the logical screen and every frame's extent,
/// requires the trailer byte at the very end, and leaves out comments and application extensions.
/// </summary>
/// <remarks>
/// Kept: the header, colour tables, image descriptors with their LZW data, graphic control and plain text
/// extensions, and the NETSCAPE2.0/ANIMEXTS1.0 application extension (animation looping). Dropped: comment
/// extensions and every other application extension (XMP in GIF travels in one). Frame data is copied byte for byte.
/// The reported size is the logical screen grown to cover every frame, because decoders grow the canvas too.
/// </remarks>
internal static class GifContainer
{
    private const byte ImageSeparator = 0x2C;
    private const byte ExtensionIntroducer = 0x21;
    private const byte Trailer = 0x3B;
    private const byte CommentLabel = 0xFE;
    private const byte ApplicationLabel = 0xFF;

    /// <summary>Checks whether the bytes start with a GIF87a or GIF89a signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> head) => head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8);

    /// <summary>Walks the image and describes the copy to store.</summary>
    public static ImageLayout Read(ReadOnlyMemory<byte> image)
    {
        var layout = new ImageLayout();
        var data = image.Span;
        if (data.Length < 13 || !HasSignature(data))
        {
            return layout.Malformed();
        }

        long width = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        long height = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
        if (width == 0 || height == 0)
        {
            return layout.Malformed();
        }

        layout.Width = width;
        layout.Height = height;
        var position = 13 + ColourTableLength(data[10]);
        if (position > data.Length)
        {
            return layout.Malformed();
        }

        layout.Keep(image[..position]);
        var sawFrame = false;
        layout.Frames = 0;
        while (position < data.Length)
        {
            var blockStart = position;
            switch (data[position])
            {
                case Trailer:
                    if (!sawFrame)
                    {
                        return layout.Malformed();
                    }

                    layout.Keep(image.Slice(position, 1));
                    return position + 1 == data.Length ? layout : layout.TrailingData();
                case ImageSeparator:
                    if (position + 11 > data.Length)
                    {
                        return layout.Malformed();
                    }

                    var left = BinaryPrimitives.ReadUInt16LittleEndian(data[(position + 1)..]);
                    var top = BinaryPrimitives.ReadUInt16LittleEndian(data[(position + 3)..]);
                    var frameWidth = BinaryPrimitives.ReadUInt16LittleEndian(data[(position + 5)..]);
                    var frameHeight = BinaryPrimitives.ReadUInt16LittleEndian(data[(position + 7)..]);
                    position += 10 + ColourTableLength(data[position + 9]);
                    if (frameWidth == 0 || frameHeight == 0 || position >= data.Length || data[position] is 0 or > 12)
                    {
                        return layout.Malformed();
                    }

                    position = SkipSubBlocks(data, position + 1);
                    if (position < 0)
                    {
                        return layout.Malformed();
                    }

                    layout.Width = Math.Max(layout.Width, left + frameWidth);
                    layout.Height = Math.Max(layout.Height, top + frameHeight);
                    sawFrame = true;
                    layout.Frames++;
                    layout.Keep(image[blockStart..position]);
                    break;
                case ExtensionIntroducer:
                    if (position + 2 > data.Length)
                    {
                        return layout.Malformed();
                    }

                    var label = data[position + 1];
                    position = SkipSubBlocks(data, position + 2);
                    if (position < 0)
                    {
                        return layout.Malformed();
                    }

                    if (label == CommentLabel || (label == ApplicationLabel && !IsLoopingExtension(data[blockStart..position])))
                    {
                        layout.Drop();
                    }
                    else
                    {
                        layout.Keep(image[blockStart..position]);
                    }

                    break;
                default:
                    return layout.Malformed();
            }
        }

        // The data ran out before the trailer.
        return layout.Malformed();
    }

    private static int ColourTableLength(byte packed) => (packed & 0x80) != 0 ? 3 * (1 << ((packed & 0x07) + 1)) : 0;

    /// <summary>Skips a chain of data sub-blocks, returning the position after the terminator or -1 when truncated.</summary>
    private static int SkipSubBlocks(ReadOnlySpan<byte> data, int position)
    {
        while (position < data.Length)
        {
            var size = data[position];
            position += 1 + size;
            if (size == 0)
            {
                return position;
            }
        }

        return -1;
    }

    private static bool IsLoopingExtension(ReadOnlySpan<byte> block) =>
        block.Length >= 14 && block[2] == 11 && (block[3..14].SequenceEqual("NETSCAPE2.0"u8) || block[3..14].SequenceEqual("ANIMEXTS1.0"u8));
}

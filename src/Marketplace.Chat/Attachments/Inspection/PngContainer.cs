using System.Buffers.Binary;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Walks the chunks of a PNG without inflating the image data: checks every CRC, reads IHDR, requires IEND at the
/// very end, and leaves out the ancillary chunks that are not needed to render the image.
/// </summary>
/// <remarks>
/// Kept: the critical chunks (IHDR, PLTE, IDAT, IEND), the ancillaries that change how pixels look (tRNS, gAMA,
/// cHRM, sRGB, iCCP, sBIT, bKGD, pHYs, cICP, mDCv, cLLi) and the APNG animation chunks (acTL, fcTL, fdAT).
/// Dropped: every other ancillary chunk, which includes eXIf, tEXt, zTXt, iTXt and tIME. IDAT payloads are copied
/// byte for byte.
/// </remarks>
internal static class PngContainer
{
    private const int ChunkOverhead = 12;

    private static readonly HashSet<string> KeptAncillaries = new(StringComparer.Ordinal)
    {
        "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "cICP", "mDCv", "cLLi", "acTL", "fcTL", "fdAT",
    };

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks whether the bytes start with the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> head) => head.StartsWith(Signature);

    /// <summary>Walks the image and describes the copy to store.</summary>
    public static ImageLayout Read(ReadOnlyMemory<byte> image)
    {
        var layout = new ImageLayout();
        var data = image.Span;
        if (!data.StartsWith(Signature))
        {
            return layout.Malformed();
        }

        layout.Keep(image[..Signature.Length]);
        var position = Signature.Length;
        var colourType = -1;
        var sawPalette = false;
        var sawData = false;
        var dataEnded = false;
        while (true)
        {
            if (position + ChunkOverhead > data.Length)
            {
                return layout.Malformed();
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data[position..]);
            if (length > int.MaxValue || length > (uint)(data.Length - position - ChunkOverhead))
            {
                return layout.Malformed();
            }

            var chunkEnd = position + ChunkOverhead + (int)length;
            var typeBytes = data.Slice(position + 4, 4);
            var body = data.Slice(position + 8, (int)length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(chunkEnd - 4)..]);
            if (!IsChunkType(typeBytes) || Crc32.Compute(data[(position + 4)..(chunkEnd - 4)]) != storedCrc)
            {
                return layout.Malformed();
            }

            var type = System.Text.Encoding.ASCII.GetString(typeBytes);
            var chunk = image[position..chunkEnd];
            if (colourType < 0)
            {
                if (type != "IHDR" || !ReadHeader(body, layout, out colourType))
                {
                    return layout.Malformed();
                }

                layout.Keep(chunk);
                position = chunkEnd;
                continue;
            }

            if (sawData && type != "IDAT")
            {
                dataEnded = true;
            }

            switch (type)
            {
                case "IHDR":
                    return layout.Malformed();
                case "PLTE":
                    if (sawData || sawPalette || length == 0 || length % 3 != 0 || length > 768)
                    {
                        return layout.Malformed();
                    }

                    sawPalette = true;
                    layout.Keep(chunk);
                    break;
                case "IDAT":
                    // Image data must be one consecutive run, and an indexed image needs its palette first.
                    if (dataEnded || (colourType == 3 && !sawPalette))
                    {
                        return layout.Malformed();
                    }

                    sawData = true;
                    layout.Keep(chunk);
                    break;
                case "IEND":
                    if (length != 0 || !sawData)
                    {
                        return layout.Malformed();
                    }

                    layout.Keep(chunk);
                    return chunkEnd == data.Length ? layout : layout.TrailingData();
                default:
                    if (KeptAncillaries.Contains(type))
                    {
                        layout.Keep(chunk);
                    }
                    else if (char.IsUpper(type[0]))
                    {
                        // An unknown critical chunk means a decoder could not render the image.
                        return layout.Malformed();
                    }
                    else
                    {
                        layout.Drop();
                    }

                    break;
            }

            position = chunkEnd;
        }
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ReadHeader(ReadOnlySpan<byte> body, ImageLayout layout, out int colourType)
    {
        colourType = -1;
        if (body.Length != 13)
        {
            return false;
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(body);
        var height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        var bitDepth = body[8];
        var type = body[9];
        var validDepth = type switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue || !validDepth
            || body[10] != 0 || body[11] != 0 || body[12] > 1)
        {
            return false;
        }

        layout.Width = width;
        layout.Height = height;
        colourType = type;
        return true;
    }
}

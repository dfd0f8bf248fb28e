using System.Buffers.Binary;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Walks the RIFF chunks of a WebP without decoding it: the RIFF size must match the bytes exactly, every chunk
/// must be complete, and the metadata chunks are left out with their VP8X flags cleared.
/// </summary>
/// <remarks>
/// Kept: VP8X, ICCP, ANIM, ANMF, ALPH, VP8 and VP8L. Dropped: EXIF, XMP and any unknown chunk. When something is
/// dropped the RIFF header and the VP8X flags are rewritten; the image chunks are copied byte for byte.
/// </remarks>
internal static class WebPContainer
{
    private const int RiffHeaderLength = 12;
    private const int ChunkHeaderLength = 8;
    private const byte ExifFlag = 0x08;
    private const byte XmpFlag = 0x04;
    private const byte AnimationFlag = 0x02;

    /// <summary>Checks whether the bytes start with a RIFF header of form WEBP.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> head) =>
        head.Length >= RiffHeaderLength && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8);

    /// <summary>Walks the image and describes the copy to store.</summary>
    public static ImageLayout Read(ReadOnlyMemory<byte> image)
    {
        var layout = new ImageLayout();
        var data = image.Span;
        if (!HasSignature(data))
        {
            return layout.Malformed();
        }

        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (riffSize < 4 + ChunkHeaderLength || riffSize % 2 != 0 || riffSize > (uint)(data.Length - 8))
        {
            return layout.Malformed();
        }

        var riffEnd = 8 + (int)riffSize;
        var kept = new List<ReadOnlyMemory<byte>>();
        byte[]? extendedHeader = null;
        var extended = false;
        var animated = false;
        var sawImage = false;
        var position = RiffHeaderLength;
        var first = true;
        while (position < riffEnd)
        {
            if (position + ChunkHeaderLength > riffEnd)
            {
                return layout.Malformed();
            }

            var fourCc = System.Text.Encoding.ASCII.GetString(data.Slice(position, 4));
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data[(position + 4)..]);
            if (size + (long)(size & 1) > riffEnd - position - ChunkHeaderLength)
            {
                return layout.Malformed();
            }

            var payload = data.Slice(position + ChunkHeaderLength, (int)size);
            var chunkEnd = position + ChunkHeaderLength + (int)size + (int)(size & 1);
            var chunk = image[position..chunkEnd];
            if (first)
            {
                first = false;
                switch (fourCc)
                {
                    case "VP8X":
                        if (!ReadExtendedHeader(payload, layout, out var flags))
                        {
                            return layout.Malformed();
                        }

                        extended = true;
                        animated = (flags & AnimationFlag) != 0;
                        var cleared = (byte)(flags & ~(ExifFlag | XmpFlag));
                        if (cleared != flags)
                        {
                            extendedHeader = chunk.ToArray();
                            extendedHeader[ChunkHeaderLength] = cleared;
                            kept.Add(extendedHeader);
                        }
                        else
                        {
                            kept.Add(chunk);
                        }

                        break;
                    case "VP8 " or "VP8L":
                        if (!ReadFrame(fourCc, payload, out var width, out var height))
                        {
                            return layout.Malformed();
                        }

                        layout.Width = width;
                        layout.Height = height;
                        sawImage = true;
                        kept.Add(chunk);
                        break;
                    default:
                        return layout.Malformed();
                }
            }
            else if (!extended)
            {
                // The simple format holds one image chunk; anything after it is not part of the image.
                layout.Drop();
            }
            else
            {
                switch (fourCc)
                {
                    case "VP8 " or "VP8L":
                        if (!ReadFrame(fourCc, payload, out var width, out var height) || width > layout.Width || height > layout.Height)
                        {
                            return layout.Malformed();
                        }

                        sawImage = true;
                        kept.Add(chunk);
                        break;
                    case "ANMF":
                        if (!animated || !FrameFitsCanvas(payload, layout))
                        {
                            return layout.Malformed();
                        }

                        layout.Frames = sawImage ? layout.Frames + 1 : 1;
                        layout.AnimatedFrames = true;
                        sawImage = true;
                        kept.Add(chunk);
                        break;
                    case "ICCP" or "ANIM" or "ALPH":
                        kept.Add(chunk);
                        break;
                    default:
                        layout.Drop();
                        break;
                }
            }

            position = chunkEnd;
        }

        if (!sawImage)
        {
            return layout.Malformed();
        }

        if (riffEnd != data.Length)
        {
            return layout.TrailingData();
        }

        if (!layout.MetadataStripped && extendedHeader is null)
        {
            layout.Keep(image);
            return layout;
        }

        var keptLength = kept.Sum(part => part.Length);
        var rewritten = new byte[RiffHeaderLength + keptLength];
        data[..RiffHeaderLength].CopyTo(rewritten);
        BinaryPrimitives.WriteUInt32LittleEndian(rewritten.AsSpan(4), (uint)(rewritten.Length - 8));
        var offset = RiffHeaderLength;
        foreach (var part in kept)
        {
            part.Span.CopyTo(rewritten.AsSpan(offset));
            offset += part.Length;
        }

        layout.ReplaceParts(rewritten);
        if (extendedHeader is not null)
        {
            layout.Drop();
        }

        return layout;
    }

    private static bool ReadExtendedHeader(ReadOnlySpan<byte> payload, ImageLayout layout, out byte flags)
    {
        flags = 0;
        if (payload.Length < 10)
        {
            return false;
        }

        flags = payload[0];
        layout.Width = 1L + ReadUInt24(payload[4..]);
        layout.Height = 1L + ReadUInt24(payload[7..]);
        return true;
    }

    private static bool ReadFrame(string fourCc, ReadOnlySpan<byte> payload, out int width, out int height)
    {
        width = 0;
        height = 0;
        if (fourCc == "VP8L")
        {
            if (payload.Length < 5 || payload[0] != 0x2F)
            {
                return false;
            }

            var bits = BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]);
            width = (int)(bits & 0x3FFF) + 1;
            height = (int)((bits >> 14) & 0x3FFF) + 1;
            return bits >> 29 == 0;
        }

        if (payload.Length < 10 || payload[3] != 0x9D || payload[4] != 0x01 || payload[5] != 0x2A)
        {
            return false;
        }

        var frameTag = payload[0] | (payload[1] << 8) | (payload[2] << 16);
        var firstPartitionSize = (frameTag >> 5) & 0x7FFFF;
        width = BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]) & 0x3FFF;
        height = BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]) & 0x3FFF;

        // A still WebP is one key frame whose first partition fits in the chunk.
        return (frameTag & 1) == 0 && firstPartitionSize <= payload.Length - 10 && width > 0 && height > 0;
    }

    private static bool FrameFitsCanvas(ReadOnlySpan<byte> payload, ImageLayout layout)
    {
        if (payload.Length < 16 + ChunkHeaderLength)
        {
            return false;
        }

        var x = 2L * ReadUInt24(payload);
        var y = 2L * ReadUInt24(payload[3..]);
        var width = 1L + ReadUInt24(payload[6..]);
        var height = 1L + ReadUInt24(payload[9..]);
        return x + width <= layout.Width && y + height <= layout.Height;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);
}

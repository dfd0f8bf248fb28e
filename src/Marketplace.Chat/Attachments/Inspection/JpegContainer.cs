using System.Buffers.Binary;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Walks the segments of a JPEG without decoding it: reads the frame size, follows the entropy-coded scans to
/// the end-of-image marker, and leaves out the segments that carry metadata.
/// </summary>
/// <remarks>
/// Kept: APP0 JFIF (its optional thumbnail is cut, since it can show the uncropped original), APP2 ICC_PROFILE
/// (colour correctness), APP14 Adobe (needed for the colour transform of CMYK/YCCK images) and every non-APP
/// segment. Dropped: APP1 (EXIF, GPS, XMP), every other APPn and COM. An EXIF orientation other than 1 survives as
/// a rewritten APP1 that holds nothing but that one tag, so phone photos still display upright. Scan data is copied
/// byte for byte.
/// </remarks>
internal static class JpegContainer
{
    private const byte Soi = 0xD8;
    private const byte Eoi = 0xD9;
    private const byte Sos = 0xDA;
    private const byte Com = 0xFE;
    private const int JfifLength = 16;

    private const ushort OrientationTag = 0x0112;

    private static ReadOnlySpan<byte> JfifId => "JFIF\0"u8;

    private static ReadOnlySpan<byte> ExifId => "Exif\0\0"u8;

    private static ReadOnlySpan<byte> IccId => "ICC_PROFILE\0"u8;

    private static ReadOnlySpan<byte> AdobeId => "Adobe"u8;

    /// <summary>Checks whether the bytes start with a JPEG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 3 && head[0] == 0xFF && head[1] == Soi && head[2] == 0xFF;

    /// <summary>Walks the image and describes the copy to store.</summary>
    public static ImageLayout Read(ReadOnlyMemory<byte> image)
    {
        var layout = new ImageLayout();
        var data = image.Span;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != Soi)
        {
            return layout.Malformed();
        }

        layout.Keep(image[..2]);
        var position = 2;
        var sawFrame = false;
        var sawScan = false;
        while (true)
        {
            if (position >= data.Length || data[position] != 0xFF)
            {
                return layout.Malformed();
            }

            var markerStart = position;
            while (position < data.Length && data[position] == 0xFF)
            {
                position++;
            }

            if (position >= data.Length)
            {
                return layout.Malformed();
            }

            var marker = data[position++];
            if (marker == Eoi)
            {
                if (!sawScan)
                {
                    return layout.Malformed();
                }

                layout.Keep(image[markerStart..position]);
                return position == data.Length ? layout : layout.TrailingData();
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                // TEM and RSTn stand alone (no length field).
                layout.Keep(image[markerStart..position]);
                continue;
            }

            if (marker is 0x00 or Soi || position + 2 > data.Length)
            {
                return layout.Malformed();
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            var segmentEnd = position + length;
            if (length < 2 || segmentEnd > data.Length)
            {
                return layout.Malformed();
            }

            var payload = data[(position + 2)..segmentEnd];
            if (IsStartOfFrame(marker))
            {
                if (sawFrame || !ReadFrame(payload, layout))
                {
                    return layout.Malformed();
                }

                sawFrame = true;
                layout.Keep(image[markerStart..segmentEnd]);
                position = segmentEnd;
            }
            else if (marker == Sos)
            {
                if (!sawFrame)
                {
                    return layout.Malformed();
                }

                var scanEnd = FindEndOfEntropyData(data, segmentEnd);
                if (scanEnd < 0)
                {
                    return layout.Malformed();
                }

                layout.Keep(image[markerStart..scanEnd]);
                sawScan = true;
                position = scanEnd;
            }
            else if (marker is (>= 0xE0 and <= 0xEF) or Com)
            {
                KeepOrDropApplicationSegment(image, marker, markerStart, segmentEnd, payload, layout);
                position = segmentEnd;
            }
            else
            {
                layout.Keep(image[markerStart..segmentEnd]);
                position = segmentEnd;
            }
        }
    }

    private static bool IsStartOfFrame(byte marker) =>
        marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    private static bool ReadFrame(ReadOnlySpan<byte> payload, ImageLayout layout)
    {
        if (payload.Length < 6)
        {
            return false;
        }

        var height = BinaryPrimitives.ReadUInt16BigEndian(payload[1..]);
        var width = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
        var components = payload[5];

        // A zero height defers the size to a DNL marker; refused because the pixel cap could not be checked up front.
        if (width == 0 || height == 0 || components == 0 || payload.Length != 6 + (3 * components))
        {
            return false;
        }

        layout.Width = width;
        layout.Height = height;
        return true;
    }

    /// <summary>Finds the marker that ends entropy-coded data, or -1 when the data runs to the end of the bytes.</summary>
    private static int FindEndOfEntropyData(ReadOnlySpan<byte> data, int start)
    {
        var position = start;
        while (true)
        {
            var next = data[position..].IndexOf((byte)0xFF);
            if (next < 0)
            {
                return -1;
            }

            position += next;
            if (position + 1 >= data.Length)
            {
                return -1;
            }

            var following = data[position + 1];
            if (following == 0x00 || following is >= 0xD0 and <= 0xD7)
            {
                // A stuffed 0xFF byte or a restart marker belongs to the scan.
                position += 2;
            }
            else if (following == 0xFF)
            {
                // A fill byte; the marker comes after the run of 0xFF.
                position++;
            }
            else
            {
                return position;
            }
        }
    }

    private static void KeepOrDropApplicationSegment(
        ReadOnlyMemory<byte> image, byte marker, int markerStart, int segmentEnd, ReadOnlySpan<byte> payload, ImageLayout layout)
    {
        switch (marker)
        {
            case 0xE0 when payload.StartsWith(JfifId) && payload.Length >= JfifLength - 2:
                if (payload.Length == JfifLength - 2 && payload[12] == 0 && payload[13] == 0)
                {
                    layout.Keep(image[markerStart..segmentEnd]);
                }
                else
                {
                    // Keep the JFIF header (version, density) and cut the thumbnail.
                    var header = new byte[JfifLength + 2];
                    header[0] = 0xFF;
                    header[1] = 0xE0;
                    BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), JfifLength);
                    payload[..12].CopyTo(header.AsSpan(4));
                    layout.Keep(header);
                    layout.Drop();
                }

                break;
            case 0xE1 when payload.StartsWith(ExifId):
                var orientation = ReadOrientation(payload[ExifId.Length..]);
                if (orientation is > 1 and <= 8 && layout.Orientation == 1)
                {
                    layout.Orientation = orientation;
                    layout.Keep(OrientationSegment(orientation));
                }

                layout.Drop();
                break;
            case 0xE2 when payload.StartsWith(IccId):
            case 0xEE when payload.StartsWith(AdobeId):
                layout.Keep(image[markerStart..segmentEnd]);
                break;
            default:
                layout.Drop();
                break;
        }
    }

    /// <summary>Reads the Orientation tag of IFD0 from a TIFF structure, or returns 1 when it is absent or unreadable.</summary>
    internal static int ReadOrientation(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        var little = tiff[0] == (byte)'I' && tiff[1] == (byte)'I';
        if (!little && !(tiff[0] == (byte)'M' && tiff[1] == (byte)'M'))
        {
            return 1;
        }

        if (U16(tiff, 2, little) != 42)
        {
            return 1;
        }

        var ifd = U32(tiff, 4, little);
        if (ifd > (uint)(tiff.Length - 2))
        {
            return 1;
        }

        var count = U16(tiff, (int)ifd, little);
        for (var i = 0; i < count; i++)
        {
            var entry = (int)ifd + 2 + (12 * i);
            if (entry + 12 > tiff.Length)
            {
                return 1;
            }

            // SHORT (3), one value, stored in the first two bytes of the value field.
            if (U16(tiff, entry, little) == OrientationTag && U16(tiff, entry + 2, little) == 3 && U32(tiff, entry + 4, little) == 1)
            {
                var value = U16(tiff, entry + 8, little);
                return value is >= 1 and <= 8 ? value : 1;
            }
        }

        return 1;
    }

    private static ushort U16(ReadOnlySpan<byte> tiff, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(tiff[at..]) : BinaryPrimitives.ReadUInt16BigEndian(tiff[at..]);

    private static uint U32(ReadOnlySpan<byte> tiff, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(tiff[at..]) : BinaryPrimitives.ReadUInt32BigEndian(tiff[at..]);

    /// <summary>Builds an APP1 segment whose EXIF holds the Orientation tag and nothing else.</summary>
    internal static byte[] OrientationSegment(int orientation)
    {
        // FF E1, length, "Exif\0\0", big-endian TIFF header, IFD0 with one entry, no next IFD.
        var segment = new byte[2 + 2 + 6 + 8 + 2 + 12 + 4];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(segment.Length - 2));
        ExifId.CopyTo(segment.AsSpan(4));
        var tiff = segment.AsSpan(10);
        tiff[0] = (byte)'M';
        tiff[1] = (byte)'M';
        BinaryPrimitives.WriteUInt16BigEndian(tiff[2..], 42);
        BinaryPrimitives.WriteUInt32BigEndian(tiff[4..], 8);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[8..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[10..], OrientationTag);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[12..], 3);
        BinaryPrimitives.WriteUInt32BigEndian(tiff[14..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[18..], (ushort)orientation);
        BinaryPrimitives.WriteUInt32BigEndian(tiff[22..], 0);
        return segment;
    }
}

using System.Buffers.Binary;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Walks the segments of a JPEG without decoding it: reads the frame size, follows the entropy-coded scans to
/// the end-of-image marker, and leaves out the segments that carry metadata.
/// </summary>
/// <remarks>
/// Kept: APP0 JFIF (its optional thumbnail is cut, since it can show the uncropped original), APP2 ICC_PROFILE
/// (colour correctness), APP14 Adobe (needed for the colour transform of CMYK/YCCK images) and every non-APP
/// segment. Dropped: APP1 (EXIF, GPS, XMP), every other APPn and COM. Scan data is copied byte for byte.
/// </remarks>
internal static class JpegContainer
{
    private const byte Soi = 0xD8;
    private const byte Eoi = 0xD9;
    private const byte Sos = 0xDA;
    private const byte Com = 0xFE;
    private const int JfifLength = 16;

    private static ReadOnlySpan<byte> JfifId => "JFIF\0"u8;

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
            case 0xE2 when payload.StartsWith(IccId):
            case 0xEE when payload.StartsWith(AdobeId):
                layout.Keep(image[markerStart..segmentEnd]);
                break;
            default:
                layout.Drop();
                break;
        }
    }
}

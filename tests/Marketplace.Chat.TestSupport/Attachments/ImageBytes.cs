using System.Buffers.Binary;
using System.Text;

namespace Marketplace.Chat.TestSupport.Attachments;

/// <summary>
/// Reads and builds image containers for the tests, independently of the library's own walkers.
/// </summary>
public static class ImageBytes
{
    /// <summary>Returns everything from the first start-of-scan marker to the end: the entropy-coded pixel data.</summary>
    public static byte[] JpegScanData(byte[] jpeg)
    {
        var position = 2;
        while (true)
        {
            Assert.Equal(0xFF, jpeg[position]);
            var marker = jpeg[position + 1];
            if (marker == 0xDA)
            {
                return jpeg[position..];
            }

            position += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2));
        }
    }

    /// <summary>Returns the JPEG marker bytes of the segments before the first scan, in order.</summary>
    public static List<byte> JpegMarkersBeforeScan(byte[] jpeg)
    {
        var markers = new List<byte>();
        var position = 2;
        while (jpeg[position + 1] != 0xDA)
        {
            markers.Add(jpeg[position + 1]);
            position += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2));
        }

        return markers;
    }

    /// <summary>Returns the PNG chunks as (type, payload) pairs.</summary>
    public static List<(string Type, byte[] Data)> PngChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        var position = 8;
        while (position < png.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            chunks.Add((Encoding.ASCII.GetString(png, position + 4, 4), png[(position + 8)..(position + 8 + length)]));
            position += 12 + length;
        }

        return chunks;
    }

    /// <summary>Returns the concatenated IDAT payloads: the compressed pixel data.</summary>
    public static byte[] PngImageData(byte[] png) =>
        PngChunks(png).Where(chunk => chunk.Type == "IDAT").SelectMany(chunk => chunk.Data).ToArray();

    /// <summary>Builds a PNG from chunks, computing lengths and CRCs.</summary>
    public static byte[] Png(params (string Type, byte[] Data)[] chunks)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in chunks)
        {
            var header = new byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
            Encoding.ASCII.GetBytes(type, header.AsSpan(4));
            stream.Write(header);
            stream.Write(data);
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. header.AsSpan(4), .. data]));
            stream.Write(crc);
        }

        return stream.ToArray();
    }

    /// <summary>Returns the top-level RIFF chunks of a WebP as (fourCC, payload) pairs.</summary>
    public static List<(string FourCc, byte[] Data)> WebPChunks(byte[] webp)
    {
        var chunks = new List<(string, byte[])>();
        var position = 12;
        while (position < webp.Length)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(webp.AsSpan(position + 4));
            chunks.Add((Encoding.ASCII.GetString(webp, position, 4), webp[(position + 8)..(position + 8 + size)]));
            position += 8 + size + (size & 1);
        }

        return chunks;
    }

    /// <summary>Returns the concatenated VP8, VP8L and ALPH payloads: the compressed pixel data.</summary>
    public static byte[] WebPImageData(byte[] webp) =>
        WebPChunks(webp).Where(chunk => chunk.FourCc is "VP8 " or "VP8L" or "ALPH").SelectMany(chunk => chunk.Data).ToArray();

    /// <summary>Builds a WebP RIFF container from chunks, padding odd sizes.</summary>
    public static byte[] WebP(params (string FourCc, byte[] Data)[] chunks)
    {
        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        foreach (var (fourCc, data) in chunks)
        {
            body.Write(Encoding.ASCII.GetBytes(fourCc));
            var size = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)data.Length);
            body.Write(size);
            body.Write(data);
            if (data.Length % 2 == 1)
            {
                body.WriteByte(0);
            }
        }

        var riff = new byte[8 + body.Length];
        "RIFF"u8.CopyTo(riff);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(4), (uint)body.Length);
        body.ToArray().CopyTo(riff, 8);
        return riff;
    }

    /// <summary>Returns a valid 1×1 GIF89a with a two-colour table, its single frame and the trailer.</summary>
    public static byte[] TinyGif(params byte[][] extensionsBeforeFrame)
    {
        byte[] header = [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF];
        byte[] frame = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00];
        return [.. header, .. extensionsBeforeFrame.SelectMany(block => block), .. frame, 0x3B];
    }

    /// <summary>Builds a GIF comment extension.</summary>
    public static byte[] GifComment(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return [0x21, 0xFE, (byte)bytes.Length, .. bytes, 0x00];
    }

    /// <summary>Builds a GIF application extension with an 11-byte identifier and one data sub-block.</summary>
    public static byte[] GifApplication(string identifier, byte[] data) =>
        [0x21, 0xFF, 11, .. Encoding.ASCII.GetBytes(identifier), (byte)data.Length, .. data, 0x00];

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }
}

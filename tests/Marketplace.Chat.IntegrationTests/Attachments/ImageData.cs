using System.Buffers.Binary;
using System.Text;

namespace Marketplace.Chat.IntegrationTests.Attachments;

/// <summary>
/// Extracts the compressed pixel data of an image, independently of the library's container walkers, so a stored
/// copy can be compared with its upload: metadata may go, pixels must stay byte for byte.
/// </summary>
internal static class ImageData
{
    public static byte[] Of(string contentType, byte[] image) => contentType switch
    {
        "image/jpeg" => JpegScanData(image),
        "image/png" => PngChunks(image).Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray(),
        "image/webp" => WebPChunks(image).Where(c => c.FourCc is "VP8 " or "VP8L" or "ALPH").SelectMany(c => c.Data).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(contentType), contentType, "No pixel extraction for this type."),
    };

    /// <summary>Returns everything from the first start-of-scan marker to the end: the entropy-coded pixel data.</summary>
    public static byte[] JpegScanData(byte[] jpeg)
    {
        var position = 2;
        while (true)
        {
            Assert.Equal(0xFF, jpeg[position]);
            if (jpeg[position + 1] == 0xDA)
            {
                return jpeg[position..];
            }

            position += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2));
        }
    }

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
}

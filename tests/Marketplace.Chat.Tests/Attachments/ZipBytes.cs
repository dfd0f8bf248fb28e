using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Marketplace.Chat.Tests.Attachments;

/// <summary>Builds ZIP archives for the tests, including deliberately dishonest ones.</summary>
internal static class ZipBytes
{
    private static readonly byte[] LocalHeader = "PK\u0003\u0004"u8.ToArray();
    private static readonly byte[] CentralHeader = "PK\u0001\u0002"u8.ToArray();

    /// <summary>Builds an archive with the entries in order, text entries encoded as UTF-8.</summary>
    public static byte[] Build(params (string Name, string Text)[] entries) =>
        Build(entries.Select(entry => (entry.Name, Encoding.UTF8.GetBytes(entry.Text))).ToArray());

    /// <summary>Builds an archive with the entries in order.</summary>
    public static byte[] Build(params (string Name, byte[] Content)[] entries)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var level = name == "mimetype" ? CompressionLevel.NoCompression : CompressionLevel.SmallestSize;
                using var entryStream = archive.CreateEntry(name, level).Open();
                entryStream.Write(content);
            }
        }

        return stream.ToArray();
    }

    /// <summary>Rewrites the declared uncompressed size (and optionally the CRC) of every entry, in the local and the central headers.</summary>
    public static byte[] WithDeclaredLength(byte[] zip, uint declaredLength, uint? declaredCrc = null)
    {
        var patched = (byte[])zip.Clone();
        foreach (var offset in Find(patched, LocalHeader))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(offset + 22), declaredLength);
            if (declaredCrc is { } crc)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(offset + 14), crc);
            }
        }

        foreach (var offset in Find(patched, CentralHeader))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(offset + 24), declaredLength);
            if (declaredCrc is { } crc)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(offset + 16), crc);
            }
        }

        return patched;
    }

    /// <summary>Sets the "encrypted" general-purpose flag on every entry, in the local and the central headers.</summary>
    public static byte[] MarkedEncrypted(byte[] zip)
    {
        var patched = (byte[])zip.Clone();
        foreach (var offset in Find(patched, LocalHeader))
        {
            patched[offset + 6] |= 1;
        }

        foreach (var offset in Find(patched, CentralHeader))
        {
            patched[offset + 8] |= 1;
        }

        return patched;
    }

    /// <summary>Returns the [Content_Types].xml of a minimal package whose main part has the given type.</summary>
    public static string ContentTypes(string mainPartType, string extraDefaults = "") =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
        + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        + extraDefaults
        + $"<Override PartName=\"/main/part.xml\" ContentType=\"{mainPartType}\"/>"
        + "</Types>";

    /// <summary>Returns the _rels/.rels of a minimal package pointing at /main/part.xml.</summary>
    public static string RootRelationships() =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"main/part.xml\"/>"
        + "</Relationships>";

    /// <summary>Computes the CRC-32 that ZIP headers declare.</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
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

    private static IEnumerable<int> Find(byte[] haystack, byte[] needle)
    {
        for (var offset = haystack.AsSpan().IndexOf(needle); offset >= 0;)
        {
            yield return offset;
            var next = haystack.AsSpan(offset + 1).IndexOf(needle);
            offset = next < 0 ? -1 : offset + 1 + next;
        }
    }
}

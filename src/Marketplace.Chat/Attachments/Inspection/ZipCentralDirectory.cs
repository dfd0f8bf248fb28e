using System.Buffers.Binary;
using System.Text;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Reads a ZIP's end record and central directory itself, strictly, so that the inspection sees exactly what an
/// extractor would: the entry count before anything else is read, every name (including the Info-ZIP Unicode path
/// some tools prefer), the flags, the method and where each entry's data lies.
/// </summary>
internal static class ZipCentralDirectory
{
    private const int EndRecordLength = 22;
    private const int Zip64LocatorLength = 20;
    private const int Zip64EndRecordLength = 56;
    private const int CentralHeaderLength = 46;
    private const ushort Zip64ExtraId = 0x0001;
    private const ushort UnicodePathExtraId = 0x7075;
    private const ushort Utf8NamesFlag = 0x0800;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the directory, or explains why it cannot be trusted.</summary>
    public static async Task<ZipDirectory> ReadAsync(Stream content, int maxEntries, CancellationToken cancellationToken)
    {
        var length = content.Length;
        var tailLength = (int)Math.Min(length, EndRecordLength + ushort.MaxValue + Zip64LocatorLength);
        var tail = await ReadAtAsync(content, length - tailLength, tailLength, cancellationToken).ConfigureAwait(false);

        // The end record must end the file exactly (its comment included): nothing may follow the archive.
        var end = -1;
        for (var candidate = tailLength - EndRecordLength; candidate >= 0; candidate--)
        {
            if (tail.AsSpan(candidate).StartsWith("PK\u0005\u0006"u8)
                && candidate + EndRecordLength + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(candidate + 20)) == tailLength)
            {
                end = candidate;
                break;
            }
        }

        if (end < 0)
        {
            return ZipDirectory.Damaged;
        }

        var record = tail.AsSpan(end);
        var endOffset = length - tailLength + end;
        ulong count = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        ulong directorySize = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        ulong directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var directoryEnd = (ulong)endOffset;
        if (BinaryPrimitives.ReadUInt16LittleEndian(record[4..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(record[6..]) != 0
            || BinaryPrimitives.ReadUInt16LittleEndian(record[8..]) != count)
        {
            // Multi-disk archives are not supported.
            return ZipDirectory.Damaged;
        }

        if (count == ushort.MaxValue || directorySize == uint.MaxValue || directoryOffset == uint.MaxValue)
        {
            var locator = end - Zip64LocatorLength;
            if (locator < 0 || !tail.AsSpan(locator).StartsWith("PK\u0006\u0007"u8))
            {
                return ZipDirectory.Damaged;
            }

            var zip64Offset = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(locator + 8));
            if (zip64Offset > (ulong)(endOffset - Zip64LocatorLength - Zip64EndRecordLength))
            {
                return ZipDirectory.Damaged;
            }

            var zip64 = await ReadAtAsync(content, (long)zip64Offset, Zip64EndRecordLength, cancellationToken).ConfigureAwait(false);
            if (!zip64.AsSpan().StartsWith("PK\u0006\u0006"u8))
            {
                return ZipDirectory.Damaged;
            }

            count = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32));
            directorySize = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(40));
            directoryOffset = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(48));
            directoryEnd = zip64Offset;
        }

        if (count > (ulong)maxEntries)
        {
            return ZipDirectory.TooManyEntries;
        }

        // The central directory must sit right before the end record, with nothing hidden in between.
        if (directoryOffset > directoryEnd || directoryEnd - directoryOffset != directorySize || directorySize > int.MaxValue)
        {
            return ZipDirectory.Damaged;
        }

        var directory = await ReadAtAsync(content, (long)directoryOffset, (int)directorySize, cancellationToken).ConfigureAwait(false);
        var entries = new List<ZipEntryRecord>((int)count);
        var position = 0;
        for (var index = 0UL; index < count; index++)
        {
            var entry = ReadCentralHeader(directory, ref position, (long)directoryOffset);
            if (entry is null)
            {
                return ZipDirectory.Damaged;
            }

            entries.Add(entry);
        }

        return position == directory.Length ? new ZipDirectory(ZipDirectoryStatus.Read, entries, (long)directoryOffset) : ZipDirectory.Damaged;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes at <paramref name="offset"/>.</summary>
    public static async Task<byte[]> ReadAtAsync(Stream content, long offset, int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        content.Position = offset;
        await content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    private static ZipEntryRecord? ReadCentralHeader(byte[] directory, ref int position, long directoryOffset)
    {
        if (directory.Length - position < CentralHeaderLength || !directory.AsSpan(position).StartsWith("PK\u0001\u0002"u8))
        {
            return null;
        }

        var header = directory.AsSpan(position, CentralHeaderLength);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        long compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        long uncompressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        var startDisk = BinaryPrimitives.ReadUInt16LittleEndian(header[34..]);
        long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
        var recordLength = CentralHeaderLength + nameLength + extraLength + commentLength;
        if (directory.Length - position < recordLength)
        {
            return null;
        }

        var rawName = directory.AsSpan(position + CentralHeaderLength, nameLength).ToArray();
        ReadOnlySpan<byte> extra = directory.AsSpan(position + CentralHeaderLength + nameLength, extraLength);
        position += recordLength;

        string name;
        try
        {
            // Without the UTF-8 flag the name is CP437; Latin-1 agrees with it on every ASCII character the checks look at.
            name = (flags & Utf8NamesFlag) != 0 ? StrictUtf8.GetString(rawName) : Encoding.Latin1.GetString(rawName);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        string? unicodePath = null;
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (size > extra.Length - 4)
            {
                return null;
            }

            ReadOnlySpan<byte> field = extra.Slice(4, size);
            if (id == Zip64ExtraId)
            {
                // Only the fields whose 32-bit slot is saturated are present, in this order.
                if (!TakeZip64(ref field, ref uncompressedSize) || !TakeZip64(ref field, ref compressedSize) || !TakeZip64(ref field, ref localOffset))
                {
                    return null;
                }
            }
            else if (id == UnicodePathExtraId && size > 5)
            {
                try
                {
                    unicodePath = StrictUtf8.GetString(field[5..]);
                }
                catch (DecoderFallbackException)
                {
                    return null;
                }
            }

            extra = extra[(4 + size)..];
        }

        if (startDisk != 0 || compressedSize < 0 || uncompressedSize < 0 || localOffset < 0 || localOffset >= directoryOffset)
        {
            return null;
        }

        return new ZipEntryRecord(name, unicodePath, rawName, flags, method, crc, compressedSize, uncompressedSize, localOffset);
    }

    private static bool TakeZip64(ref ReadOnlySpan<byte> field, ref long value)
    {
        if (value != uint.MaxValue)
        {
            return true;
        }

        if (field.Length < 8)
        {
            return false;
        }

        var wide = BinaryPrimitives.ReadUInt64LittleEndian(field);
        field = field[8..];
        if (wide > long.MaxValue)
        {
            return false;
        }

        value = (long)wide;
        return true;
    }
}

/// <summary>Tells whether a central directory could be read.</summary>
internal enum ZipDirectoryStatus
{
    /// <summary>The directory was read and is consistent.</summary>
    Read,

    /// <summary>The archive declares more entries than allowed; the directory was not read.</summary>
    TooManyEntries,

    /// <summary>The end record or the directory is missing, inconsistent or followed by other data.</summary>
    Damaged,
}

/// <summary>Holds the entries of a central directory and where it starts.</summary>
/// <param name="Status">Whether the directory could be read.</param>
/// <param name="Entries">The entries in directory order (empty unless read).</param>
/// <param name="DirectoryOffset">The offset of the central directory; entry data must lie before it.</param>
internal sealed record ZipDirectory(ZipDirectoryStatus Status, IReadOnlyList<ZipEntryRecord> Entries, long DirectoryOffset)
{
    /// <summary>Gets the result for an archive whose directory cannot be trusted.</summary>
    public static ZipDirectory Damaged { get; } = new(ZipDirectoryStatus.Damaged, [], 0);

    /// <summary>Gets the result for an archive that declares too many entries.</summary>
    public static ZipDirectory TooManyEntries { get; } = new(ZipDirectoryStatus.TooManyEntries, [], 0);
}

/// <summary>Describes one central directory entry.</summary>
/// <param name="Name">The entry name as decoded from the central directory.</param>
/// <param name="UnicodePath">The name from an Info-ZIP Unicode path field, which some extractors use instead.</param>
/// <param name="RawName">The name bytes, to compare with the local header.</param>
/// <param name="Flags">The general-purpose flags.</param>
/// <param name="Method">The compression method.</param>
/// <param name="Crc32">The CRC-32 of the expanded data.</param>
/// <param name="CompressedSize">The declared compressed size.</param>
/// <param name="UncompressedSize">The declared expanded size.</param>
/// <param name="LocalHeaderOffset">The offset of the entry's local header.</param>
internal sealed record ZipEntryRecord(
    string Name,
    string? UnicodePath,
    byte[] RawName,
    ushort Flags,
    ushort Method,
    uint Crc32,
    long CompressedSize,
    long UncompressedSize,
    long LocalHeaderOffset)
{
    /// <summary>Gets the file name without its folders.</summary>
    public string FileName => Name[(Name.LastIndexOf('/') + 1)..];
}

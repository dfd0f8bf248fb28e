using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Xml;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Inspects a ZIP-based file without ever expanding it past the configured bound: reads the central directory
/// itself (entry count first), checks every path, flag, method and declared size, then inflates each entry's raw
/// data through a counter that stops at the bound and verifies sizes and CRCs, and finally tells plain ZIPs from
/// OOXML and ODF packages.
/// </summary>
/// <remarks>
/// <see cref="ZipArchive"/> is not used for the walk: it silently stops inflating at the declared size, which would
/// let an archive that lies about its sizes through. Only stored and deflated entries can be checked; other methods,
/// encryption, multi-disk archives, overlapping entries and data after the end record are refused.
/// </remarks>
internal sealed class ZipPackageInspector
{
    /// <summary>The size under which an entry's compression ratio is not checked: small text legitimately compresses very well.</summary>
    internal const long RatioGraceBytes = 1024 * 1024;

    private const int MaxCapturedPartBytes = 1024 * 1024;
    private const int LocalHeaderLength = 30;
    private const ushort Stored = 0;
    private const ushort Deflated = 8;
    private const ushort EncryptionFlags = 0x0001 | 0x0040 | 0x2000;
    private const string ContentTypesPart = "[Content_Types].xml";
    private const string RootRelationshipsPart = "_rels/.rels";
    private const string OdfMimetypePart = "mimetype";
    private const string MainPartSuffix = ".main+xml";
    private const string ZipType = "application/zip";

    private readonly AttachmentOptions _options;

    /// <summary>Initializes a new instance that applies the archive bounds of the options.</summary>
    public ZipPackageInspector(AttachmentOptions options) => _options = options;

    /// <summary>Inspects the archive in the stream and names its type, or the reason it is refused.</summary>
    public async Task<PackageVerdict> InspectAsync(Stream content, CancellationToken cancellationToken)
    {
        try
        {
            var directory = await ZipCentralDirectory.ReadAsync(content, _options.MaxArchiveEntries, cancellationToken).ConfigureAwait(false);
            switch (directory.Status)
            {
                case ZipDirectoryStatus.TooManyEntries:
                    return PackageVerdict.Refused("The archive holds more files than allowed.");
                case ZipDirectoryStatus.Damaged:
                    return PackageVerdict.Damaged;
            }

            var refusal = CheckDeclaredEntries(directory.Entries);
            if (refusal is not null)
            {
                return refusal;
            }

            var captured = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            refusal = await ExpandEntriesAsync(content, directory, captured, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            if (captured.TryGetValue(ContentTypesPart, out var contentTypes))
            {
                return ClassifyOfficeOpenXml(directory.Entries, contentTypes, captured.GetValueOrDefault(RootRelationshipsPart));
            }

            if (directory.Entries.Count > 0 && directory.Entries[0].Name == OdfMimetypePart)
            {
                return ClassifyOpenDocument(directory.Entries, captured[OdfMimetypePart]);
            }

            return PackageVerdict.Of(ZipType);
        }
        catch (InvalidDataException)
        {
            // Deflate data that does not decode.
            return PackageVerdict.Damaged;
        }
        catch (EndOfStreamException)
        {
            // A header that points past the end of the file.
            return PackageVerdict.Damaged;
        }
        catch (XmlException)
        {
            return PackageVerdict.Damaged;
        }
    }

    private static bool IsSafePath(string name)
    {
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            return false;
        }

        // Backslashes act as separators when extracted on Windows; a colon names a drive or an alternate stream.
        var normalized = name.Replace('\\', '/');
        return !normalized.StartsWith('/') && !normalized.Contains(':', StringComparison.Ordinal)
            && !normalized.Split('/').Contains("..", StringComparer.Ordinal);
    }

    private static PackageVerdict ClassifyOfficeOpenXml(IReadOnlyList<ZipEntryRecord> entries, byte[] contentTypesXml, byte[]? relationshipsXml)
    {
        var defaults = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (element, attributes) in ReadElements(contentTypesXml))
        {
            if (element == "Default" && attributes.TryGetValue("Extension", out var extension) && attributes.TryGetValue("ContentType", out var type))
            {
                defaults[extension] = type;
            }
            else if (element == "Override" && attributes.TryGetValue("PartName", out var part) && attributes.TryGetValue("ContentType", out type))
            {
                overrides[part] = type;
            }
        }

        var declaresActiveContent = defaults.Values.Concat(overrides.Values).Any(type =>
            type.Contains("macroEnabled", StringComparison.OrdinalIgnoreCase)
            || type.Contains("vbaProject", StringComparison.OrdinalIgnoreCase)
            || type.Contains("activeX", StringComparison.OrdinalIgnoreCase));
        var holdsActiveContent = entries.Any(entry =>
            entry.FileName.Equals("vbaProject.bin", StringComparison.OrdinalIgnoreCase)
            || entry.Name.Contains("activeX/", StringComparison.OrdinalIgnoreCase));
        var mainType = FindMainPartType(relationshipsXml, defaults, overrides);
        var packageType = mainType is not null && mainType.EndsWith(MainPartSuffix, StringComparison.OrdinalIgnoreCase)
            ? mainType[..^MainPartSuffix.Length].ToLowerInvariant()
            : ZipType;
        if (packageType.Contains("macroenabled", StringComparison.Ordinal))
        {
            // The registered names of macro-enabled packages carry the Office version.
            packageType += ".12";
        }

        return declaresActiveContent || holdsActiveContent ? PackageVerdict.ActiveContent(packageType) : PackageVerdict.Of(packageType);
    }

    private static string? FindMainPartType(byte[]? relationshipsXml, Dictionary<string, string> defaults, Dictionary<string, string> overrides)
    {
        if (relationshipsXml is null)
        {
            return null;
        }

        foreach (var (element, attributes) in ReadElements(relationshipsXml))
        {
            if (element == "Relationship"
                && attributes.TryGetValue("Type", out var type) && type.EndsWith("/officeDocument", StringComparison.Ordinal)
                && attributes.TryGetValue("Target", out var target))
            {
                var partName = "/" + target.TrimStart('/');
                if (overrides.TryGetValue(partName, out var partType))
                {
                    return partType;
                }

                var extension = Path.GetExtension(partName).TrimStart('.');
                return defaults.GetValueOrDefault(extension);
            }
        }

        return null;
    }

    private static PackageVerdict ClassifyOpenDocument(IReadOnlyList<ZipEntryRecord> entries, byte[] mimetype)
    {
        var type = System.Text.Encoding.ASCII.GetString(mimetype).Trim();
        if (!type.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal))
        {
            return PackageVerdict.Of(ZipType);
        }

        // ODF keeps Basic macros and scripts in these folders.
        var holdsMacros = entries.Any(entry =>
            entry.Name.StartsWith("Basic/", StringComparison.OrdinalIgnoreCase)
            || entry.Name.StartsWith("Scripts/", StringComparison.OrdinalIgnoreCase));
        type = type.ToLowerInvariant();
        return holdsMacros ? PackageVerdict.ActiveContent(type) : PackageVerdict.Of(type);
    }

    /// <summary>Reads element names with their attributes, refusing DTDs so that no entity can expand.</summary>
    private static List<(string Element, Dictionary<string, string> Attributes)> ReadElements(byte[] xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxCapturedPartBytes,
            IgnoreComments = true,
        };
        var elements = new List<(string, Dictionary<string, string>)>();
        using var stream = new MemoryStream(xml, writable: false);
        using var reader = XmlReader.Create(stream, settings);
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            while (reader.MoveToNextAttribute())
            {
                attributes[reader.LocalName] = reader.Value;
            }

            reader.MoveToElement();
            elements.Add((reader.LocalName, attributes));
        }

        return elements;
    }

    private bool ExceedsRatio(long expanded, long compressed) =>
        expanded > RatioGraceBytes && expanded > _options.MaxArchiveCompressionRatio * Math.Max(compressed, 1);

    /// <summary>Checks what the archive says about itself: cheap, and enough to refuse an honest bomb without inflating a byte.</summary>
    private PackageVerdict? CheckDeclaredEntries(IReadOnlyList<ZipEntryRecord> entries)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long declaredTotal = 0;
        foreach (var entry in entries)
        {
            if (!IsSafePath(entry.Name) || (entry.UnicodePath is { } unicodePath && !IsSafePath(unicodePath)))
            {
                return PackageVerdict.Refused("The archive contains a file with an unsafe path.");
            }

            if (!names.Add(entry.Name.Replace('\\', '/')))
            {
                return PackageVerdict.Damaged;
            }

            if ((entry.Flags & EncryptionFlags) != 0)
            {
                return PackageVerdict.Refused("Encrypted archives are not allowed.");
            }

            if (entry.Method is not (Stored or Deflated) || (entry.Method == Stored && entry.CompressedSize != entry.UncompressedSize))
            {
                return PackageVerdict.Damaged;
            }

            declaredTotal += entry.UncompressedSize;
            if (declaredTotal > _options.MaxArchiveExpandedBytes || ExceedsRatio(entry.UncompressedSize, entry.CompressedSize))
            {
                return PackageVerdict.Expands;
            }
        }

        return null;
    }

    /// <summary>Inflates every entry's raw data, counting as it streams: declared sizes may lie, so they only confirm.</summary>
    private async Task<PackageVerdict?> ExpandEntriesAsync(
        Stream content, ZipDirectory directory, Dictionary<string, byte[]> captured, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            long previousDataEnd = 0;
            foreach (var entry in directory.Entries.OrderBy(entry => entry.LocalHeaderOffset))
            {
                var dataStart = await LocateDataAsync(content, entry, directory.DirectoryOffset, cancellationToken).ConfigureAwait(false);
                if (dataStart < 0 || entry.LocalHeaderOffset < previousDataEnd)
                {
                    // Entries sharing data are how "overlapping" bombs multiply one stream.
                    return PackageVerdict.Damaged;
                }

                previousDataEnd = dataStart + entry.CompressedSize;
                var capture = entry.Name is ContentTypesPart or RootRelationshipsPart or OdfMimetypePart ? new MemoryStream() : null;
                long entryBytes = 0;
                var crc = 0u;
                content.Position = dataStart;
                var raw = new BoundedReadStream(content, entry.CompressedSize);
                var expanded = entry.Method == Deflated ? new DeflateStream(raw, CompressionMode.Decompress) : (Stream)raw;
                await using (expanded.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await expanded.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        entryBytes += read;
                        total += read;
                        if (total > _options.MaxArchiveExpandedBytes || entryBytes > entry.UncompressedSize || ExceedsRatio(entryBytes, entry.CompressedSize))
                        {
                            return PackageVerdict.Expands;
                        }

                        crc = Crc32.Append(crc, buffer.AsSpan(0, read));
                        if (capture is not null)
                        {
                            if (capture.Length + read > MaxCapturedPartBytes)
                            {
                                return PackageVerdict.Damaged;
                            }

                            capture.Write(buffer, 0, read);
                        }
                    }
                }

                if (entryBytes != entry.UncompressedSize || crc != entry.Crc32)
                {
                    return PackageVerdict.Damaged;
                }

                if (capture is not null)
                {
                    captured[entry.Name] = capture.ToArray();
                }
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Checks the local header against the central directory and returns where the data starts, or -1.</summary>
    private static async Task<long> LocateDataAsync(Stream content, ZipEntryRecord entry, long directoryOffset, CancellationToken cancellationToken)
    {
        if (entry.LocalHeaderOffset + LocalHeaderLength > directoryOffset)
        {
            return -1;
        }

        var header = await ZipCentralDirectory.ReadAtAsync(content, entry.LocalHeaderOffset, LocalHeaderLength, cancellationToken).ConfigureAwait(false);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26));
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
        var dataStart = entry.LocalHeaderOffset + LocalHeaderLength + nameLength + extraLength;
        if (!header.AsSpan().StartsWith("PK\u0003\u0004"u8)
            || BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8)) != entry.Method
            || nameLength != entry.RawName.Length
            || dataStart + entry.CompressedSize > directoryOffset)
        {
            return -1;
        }

        // Tools that read local headers must see the same name as those that read the central directory.
        var localName = await ZipCentralDirectory.ReadAtAsync(content, entry.LocalHeaderOffset + LocalHeaderLength, nameLength, cancellationToken).ConfigureAwait(false);
        return localName.AsSpan().SequenceEqual(entry.RawName) ? dataStart : -1;
    }

    /// <summary>Exposes the next bytes of the underlying stream and no more, so an entry's inflater cannot read past its data.</summary>
    private sealed class BoundedReadStream(Stream inner, long length) : Stream
    {
        private long _remaining = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
            _remaining -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
            _remaining -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Carries the type of an inspected archive, or why it was refused.</summary>
/// <param name="ContentType">The package type (for example a DOCX type) or <c>application/zip</c>.</param>
/// <param name="Problem">The refusal code, or <see langword="null"/> when the archive is safe.</param>
/// <param name="Reason">The refusal in words safe to show a user.</param>
internal sealed record PackageVerdict(string ContentType, ChatErrorCode? Problem, string? Reason)
{
    /// <summary>Gets the verdict for an archive that cannot be read as a well-formed ZIP.</summary>
    public static PackageVerdict Damaged { get; } = Refused("The archive is damaged or uses features that cannot be checked.");

    /// <summary>Gets the verdict for an archive that expands past the inspection bounds.</summary>
    public static PackageVerdict Expands { get; } = Refused("The archive expands to more data than allowed.");

    /// <summary>Creates the verdict for a document of the given type that carries macros or ActiveX controls.</summary>
    public static PackageVerdict ActiveContent(string contentType) =>
        new(contentType, ChatErrorCode.ActiveContentNotAllowed, "Documents with macros or other active content are not allowed.");

    /// <summary>Creates the verdict for a safe archive of the given type.</summary>
    public static PackageVerdict Of(string contentType) => new(contentType, null, null);

    /// <summary>Creates an <see cref="ChatErrorCode.ArchiveNotAllowed"/> verdict with a reason.</summary>
    public static PackageVerdict Refused(string reason) => new("application/zip", ChatErrorCode.ArchiveNotAllowed, reason);
}

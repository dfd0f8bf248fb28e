using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Xml;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Inspects a ZIP-based file without ever expanding it past the configured bound: checks the entry count from the
/// end-of-central-directory record, every path, encryption and the declared sizes, then inflates each entry through a
/// counter that stops at the bound, and finally tells plain ZIPs from OOXML and ODF packages.
/// </summary>
internal sealed class ZipPackageInspector
{
    /// <summary>The size under which an entry's compression ratio is not checked: small text legitimately compresses very well.</summary>
    internal const long RatioGraceBytes = 1024 * 1024;

    private const int MaxCapturedPartBytes = 1024 * 1024;
    private const int EndOfCentralDirectoryLength = 22;
    private const int Zip64LocatorLength = 20;
    private const string ContentTypesPart = "[Content_Types].xml";
    private const string RootRelationshipsPart = "_rels/.rels";
    private const string OdfMimetypePart = "mimetype";
    private const string MainPartSuffix = ".main+xml";
    private const string ZipType = "application/zip";

    private readonly AttachmentOptions options;

    /// <summary>Initializes a new instance that applies the archive bounds of the options.</summary>
    public ZipPackageInspector(AttachmentOptions options) => this.options = options;

    /// <summary>Inspects the archive from the start of the stream and names its type, or the reason it is refused.</summary>
    public async Task<PackageVerdict> InspectAsync(Stream content, CancellationToken cancellationToken)
    {
        try
        {
            var declaredCount = await ReadDeclaredEntryCountAsync(content, cancellationToken).ConfigureAwait(false);
            if (declaredCount is null)
            {
                return PackageVerdict.Damaged;
            }

            if (declaredCount > (ulong)options.MaxArchiveEntries)
            {
                return PackageVerdict.Refused("The archive holds more files than allowed.");
            }

            content.Position = 0;
            var archive = await ZipArchive.CreateAsync(content, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken)
                .ConfigureAwait(false);
            await using (archive.ConfigureAwait(false))
            {
                return await InspectEntriesAsync(archive, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException)
        {
            return PackageVerdict.Damaged;
        }
        catch (NotSupportedException)
        {
            // An unsupported compression method or feature: the content cannot be checked.
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

    private static async Task<ulong?> ReadDeclaredEntryCountAsync(Stream content, CancellationToken cancellationToken)
    {
        var length = content.Length;
        var tailLength = (int)Math.Min(length, EndOfCentralDirectoryLength + ushort.MaxValue + Zip64LocatorLength);
        var tail = new byte[tailLength];
        content.Position = length - tailLength;
        await content.ReadExactlyAsync(tail, cancellationToken).ConfigureAwait(false);

        var end = tail.AsSpan(0, tailLength - EndOfCentralDirectoryLength + 4).LastIndexOf("PK\u0005\u0006"u8);
        if (end < 0)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(end + 10));
        if (count != ushort.MaxValue)
        {
            return count;
        }

        // ZIP64: the real count is in the ZIP64 end record the locator points to.
        var locator = end - Zip64LocatorLength;
        if (locator < 0 || !tail.AsSpan(locator).StartsWith("PK\u0006\u0007"u8))
        {
            return count;
        }

        var recordOffset = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(locator + 8));
        if (recordOffset > (ulong)(length - 56))
        {
            return null;
        }

        var record = new byte[56];
        content.Position = (long)recordOffset;
        await content.ReadExactlyAsync(record, cancellationToken).ConfigureAwait(false);
        return record.AsSpan().StartsWith("PK\u0006\u0006"u8) ? BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32)) : null;
    }

    private static PackageVerdict ClassifyOfficeOpenXml(IReadOnlyList<ZipArchiveEntry> entries, byte[] contentTypesXml, byte[]? relationshipsXml)
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
            entry.Name.Equals("vbaProject.bin", StringComparison.OrdinalIgnoreCase)
            || entry.FullName.Contains("/activeX/", StringComparison.OrdinalIgnoreCase));
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

    private static PackageVerdict ClassifyOpenDocument(IReadOnlyList<ZipArchiveEntry> entries, byte[] mimetype)
    {
        var type = System.Text.Encoding.ASCII.GetString(mimetype).Trim();
        if (!type.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal))
        {
            return PackageVerdict.Of(ZipType);
        }

        // ODF keeps Basic macros and scripts in these folders.
        var holdsMacros = entries.Any(entry =>
            entry.FullName.StartsWith("Basic/", StringComparison.OrdinalIgnoreCase)
            || entry.FullName.StartsWith("Scripts/", StringComparison.OrdinalIgnoreCase));
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
        expanded > RatioGraceBytes && expanded > options.MaxArchiveCompressionRatio * Math.Max(compressed, 1);

    private async Task<PackageVerdict> InspectEntriesAsync(ZipArchive archive, CancellationToken cancellationToken)
    {
        var entries = archive.Entries;
        if (entries.Count > options.MaxArchiveEntries)
        {
            return PackageVerdict.Refused("The archive holds more files than allowed.");
        }

        // First what the archive says about itself: cheap, and enough to refuse an honest bomb without inflating a byte.
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long declaredTotal = 0;
        foreach (var entry in entries)
        {
            if (!IsSafePath(entry.FullName))
            {
                return PackageVerdict.Refused("The archive contains a file with an unsafe path.");
            }

            if (!names.Add(entry.FullName))
            {
                return PackageVerdict.Damaged;
            }

            if (entry.IsEncrypted)
            {
                return PackageVerdict.Refused("Encrypted archives are not allowed.");
            }

            declaredTotal += entry.Length;
            if (declaredTotal > options.MaxArchiveExpandedBytes || ExceedsRatio(entry.Length, entry.CompressedLength))
            {
                return PackageVerdict.Expands;
            }
        }

        // Then what it really expands to, counted as it streams: declared sizes may lie.
        var captured = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            foreach (var entry in entries)
            {
                var capture = entry.FullName is ContentTypesPart or RootRelationshipsPart or OdfMimetypePart ? new MemoryStream() : null;
                long entryBytes = 0;
                var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        entryBytes += read;
                        total += read;
                        if (total > options.MaxArchiveExpandedBytes || entryBytes > entry.Length || ExceedsRatio(entryBytes, entry.CompressedLength))
                        {
                            return PackageVerdict.Expands;
                        }

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

                if (entryBytes != entry.Length)
                {
                    return PackageVerdict.Damaged;
                }

                if (capture is not null)
                {
                    captured[entry.FullName] = capture.ToArray();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (captured.TryGetValue(ContentTypesPart, out var contentTypes))
        {
            return ClassifyOfficeOpenXml(entries, contentTypes, captured.GetValueOrDefault(RootRelationshipsPart));
        }

        if (entries.Count > 0 && entries[0].FullName == OdfMimetypePart)
        {
            return ClassifyOpenDocument(entries, captured[OdfMimetypePart]);
        }

        return PackageVerdict.Of(ZipType);
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

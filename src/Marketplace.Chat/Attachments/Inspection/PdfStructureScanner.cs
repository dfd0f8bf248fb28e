using System.Diagnostics;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Parses a PDF with PdfPig and visits every object the cross-reference data lists, those packed in compressed
/// object streams included, looking for the names that bring scripts, launch actions, embedded files, forms that
/// run or submit, and rich media, as dictionary keys or as values.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="MaxObjects"/> objects, nesting at most <see cref="MaxDepth"/> deep, and the walk stops
/// once its time is up; a document PdfPig cannot open (or that is encrypted with a password) cannot be inspected and
/// is refused as malformed. The raw-byte <see cref="PdfActiveContentScanner"/> still runs first, for names outside
/// any object PdfPig lists.
/// </remarks>
internal static class PdfStructureScanner
{
    /// <summary>The most objects a document may list.</summary>
    public const int MaxObjects = 200_000;

    /// <summary>The deepest nesting of arrays and dictionaries that is followed.</summary>
    public const int MaxDepth = 64;

    private static readonly HashSet<string> ActiveNames = new(StringComparer.Ordinal)
    {
        "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA", "AA",
        "GoToE", "ImportData", "SubmitForm",
    };

    /// <summary>Inspects <paramref name="pdf"/>; stops when <paramref name="timeLimit"/> has passed.</summary>
    public static PdfScanResult Scan(byte[] pdf, TimeSpan timeLimit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        PdfDocument document;
        try
        {
            document = PdfDocument.Open(pdf, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
        }
#pragma warning disable CA1031 // Whatever the parser throws on hostile bytes, the document cannot be inspected.
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
#pragma warning restore CA1031
        {
            return PdfScanResult.Malformed;
        }

        using (document)
        {
            try
            {
                var references = document.Structure.CrossReferenceTable.ObjectOffsets.Keys.ToList();
                if (references.Count > MaxObjects)
                {
                    return PdfScanResult.TooComplex;
                }

                foreach (var reference in references)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (clock.Elapsed > timeLimit)
                    {
                        return PdfScanResult.TooComplex;
                    }

                    if (Walk(document.Structure.GetObject(reference), 0))
                    {
                        return PdfScanResult.ActiveContent;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
#pragma warning disable CA1031 // An object that cannot be read means the document cannot be inspected.
            catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
            {
                return PdfScanResult.Malformed;
            }
        }

        return PdfScanResult.Clean;
    }

    private static bool Walk(IReadOnlyList<IToken> tokens, int depth)
    {
        foreach (var token in tokens)
        {
            if (Walk(token, depth))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Walk(IToken? token, int depth)
    {
        if (depth > MaxDepth)
        {
            return false;
        }

        switch (token)
        {
            case NameToken name:
                return ActiveNames.Contains(name.Data);
            case DictionaryToken dictionary:
                foreach (var (key, value) in dictionary.Data)
                {
                    if (ActiveNames.Contains(key) || Walk(value, depth + 1))
                    {
                        return true;
                    }
                }

                return false;
            case ArrayToken array:
                return Walk(array.Data, depth + 1);
            case StreamToken stream:
                return Walk(stream.StreamDictionary, depth + 1);
            case ObjectToken wrapped:
                return Walk(wrapped.Data, depth + 1);
            default:
                return false;
        }
    }
}

/// <summary>What <see cref="PdfStructureScanner"/> found.</summary>
internal enum PdfScanResult
{
    /// <summary>No active content in any object.</summary>
    Clean,

    /// <summary>An object names active content.</summary>
    ActiveContent,

    /// <summary>PdfPig could not open or read the document.</summary>
    Malformed,

    /// <summary>The document has more objects, or needs more time, than the bounds allow.</summary>
    TooComplex,
}

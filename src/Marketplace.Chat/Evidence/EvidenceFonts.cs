using PdfSharp.Fonts;

namespace Marketplace.Chat.Evidence;

/// <summary>
/// Gives PDFsharp's Core build (which finds no fonts on its own outside Windows) the TrueType files of the transcript.
/// PDFsharp's resolver is process-wide and can be set once: the chat installs its own unless the host already set
/// one, in which case it becomes the fallback for the chat's family name.
/// </summary>
internal sealed class EvidenceFonts : IFontResolver
{
    public const string Family = "Marketplace Chat Evidence";
    private const string RegularFace = "mce-regular";
    private const string BoldFace = "mce-bold";

    // Debian/Ubuntu (fonts-dejavu-core), Fedora, Arch, Alpine; Liberation; then Windows and macOS.
    private static readonly string[][] Candidates =
    [
        ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
        ["/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"],
        ["/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"],
        ["/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"],
        ["/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"],
        ["/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf", "/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf"],
        [@"C:\Windows\Fonts\arial.ttf", @"C:\Windows\Fonts\arialbd.ttf"],
        ["/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"],
        ["/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"],
    ];

    private static readonly Lock Gate = new();
    private static EvidenceFonts? _installed;

    private readonly byte[] _regular;
    private readonly byte[] _bold;

    private EvidenceFonts(byte[] regular, byte[] bold)
    {
        _regular = regular;
        _bold = bold;
    }

    /// <summary>Gets the font file paths that were looked for, for the error message and the README.</summary>
    public static IEnumerable<string> SearchedFiles => Candidates.Select(c => c[0]);

    /// <summary>Makes the transcript's fonts available to PDFsharp; the first call decides the files for the process.</summary>
    /// <param name="regularFile">A TrueType file the host chose, or null to search the usual places.</param>
    /// <param name="boldFile">Its bold face, or null to use the regular face for headings too.</param>
    public static void Install(string? regularFile, string? boldFile)
    {
        lock (Gate)
        {
            if (_installed is not null)
            {
                return;
            }

            var fonts = Load(regularFile, boldFile, Candidates);
            if (GlobalFontSettings.FontResolver is null)
            {
                GlobalFontSettings.FontResolver = fonts;
            }
            else if (GlobalFontSettings.FallbackFontResolver is null)
            {
                GlobalFontSettings.FallbackFontResolver = fonts;
            }

            _installed = fonts;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase)
            ? new FontResolverInfo(isBold ? BoldFace : RegularFace)
            : null;

    public byte[]? GetFont(string faceName) => faceName switch
    {
        RegularFace => _regular,
        BoldFace => _bold,
        _ => null,
    };

    internal static EvidenceFonts Load(string? regularFile, string? boldFile, IEnumerable<string[]> candidates)
    {
        if (regularFile is not null)
        {
            if (!File.Exists(regularFile))
            {
                throw new InvalidOperationException(
                    $"The evidence transcript font '{regularFile}' (ChatEvidenceOptions.FontFile) does not exist.");
            }

            if (boldFile is not null && !File.Exists(boldFile))
            {
                throw new InvalidOperationException(
                    $"The evidence transcript bold font '{boldFile}' (ChatEvidenceOptions.BoldFontFile) does not exist.");
            }

            var regular = File.ReadAllBytes(regularFile);
            return new EvidenceFonts(regular, boldFile is null ? regular : File.ReadAllBytes(boldFile));
        }

        foreach (var pair in candidates)
        {
            if (File.Exists(pair[0]))
            {
                var regular = File.ReadAllBytes(pair[0]);
                return new EvidenceFonts(regular, File.Exists(pair[1]) ? File.ReadAllBytes(pair[1]) : regular);
            }
        }

        throw new InvalidOperationException(
            "The evidence transcript (PDF) needs a TrueType font and found none. Install DejaVu Sans " +
            "(Debian/Ubuntu: apt-get install fonts-dejavu-core; Fedora: dnf install dejavu-sans-fonts; Alpine: apk add font-dejavu) " +
            "or set ChatEvidenceOptions.FontFile (and BoldFontFile) to a .ttf file. Looked for: " +
            string.Join(", ", SearchedFiles) + ".");
    }
}

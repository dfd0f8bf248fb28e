namespace Marketplace.Chat.Evidence;

/// <summary>Configures the evidence export (<c>AddMarketplaceChat(...).AddEvidenceExport(o => ...)</c>).</summary>
public sealed class ChatEvidenceOptions
{
    /// <summary>Gets or sets the marketplace's key that signs every bundle; required (e.g. <see cref="ChatEvidenceSigningKey.LoadOrCreate"/>).</summary>
    public ChatEvidenceSigningKey? SigningKey { get; set; }

    /// <summary>
    /// Gets or sets a TrueType font file for the PDF transcript; when null, DejaVu Sans, Liberation Sans or Arial is
    /// looked for where Debian, Fedora, Arch, Alpine, Windows and macOS install them. PDFsharp's font choice is
    /// process-wide: the first export (or start-up check) decides it.
    /// </summary>
    public string? FontFile { get; set; }

    /// <summary>Gets or sets the bold face of <see cref="FontFile"/>; when null, headings use the regular face.</summary>
    public string? BoldFontFile { get; set; }
}

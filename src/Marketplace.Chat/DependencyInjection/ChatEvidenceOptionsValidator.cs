using Marketplace.Chat.Evidence;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.DependencyInjection;

/// <summary>Says that <c>AddEvidenceExport</c> was called, so <c>MapMarketplaceChat</c> maps the export endpoint.</summary>
internal sealed class EvidenceExportMarker;

/// <summary>Fails start-up with the fix when the export has no signing key or the transcript no font.</summary>
internal sealed class ChatEvidenceOptionsValidator : IValidateOptions<ChatEvidenceOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatEvidenceOptions options)
    {
        if (options.SigningKey is null)
        {
            return ValidateOptionsResult.Fail(ChatEvidenceExportService.MissingKeyMessage);
        }

        try
        {
            // Installs PDFsharp's font resolver now, so a missing font is a start-up error, not a failed export.
            EvidenceFonts.Install(options.FontFile, options.BoldFontFile);
        }
        catch (InvalidOperationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }

        return ValidateOptionsResult.Success;
    }
}

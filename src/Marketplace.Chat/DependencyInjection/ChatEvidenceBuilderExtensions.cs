using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Evidence;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Turns on the dispute evidence export.</summary>
public static class ChatEvidenceBuilderExtensions
{
    /// <summary>
    /// Turns on the dispute evidence export with the marketplace's signing key: <see cref="IChatEvidenceExport"/> and
    /// <c>GET {prefix}/disputes/{disputeId}/evidence</c> (administrators only). Start-up fails, naming the fix, when no
    /// key is set or no font for the PDF transcript can be found.
    /// </summary>
    public static ChatBuilder AddEvidenceExport(this ChatBuilder builder, Action<ChatEvidenceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.TryAddSingleton<EvidenceExportMarker>();
        builder.Services.AddOptions<ChatEvidenceOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatEvidenceOptions>, ChatEvidenceOptionsValidator>());
        return builder;
    }
}

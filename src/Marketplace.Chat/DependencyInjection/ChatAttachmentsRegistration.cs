using Marketplace.Chat.Attachments.Inspection;
using Marketplace.Chat;
using Marketplace.Chat.Attachments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the attachment feature: inspection, storage, upload and download, and the sweep of unsent uploads.</summary>
/// <remarks>The host's one verb for attachments, <see cref="ChatBuilder.AddAttachmentStore{TStore}"/>, is on the builder.</remarks>
internal static class ChatAttachmentsRegistration
{
    internal static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new AttachmentInspector(sp.GetRequiredService<IOptions<ChatOptions>>().Value.Attachments));
        services.TryAddSingleton<IChatAttachmentStore, FileSystemAttachmentStore>();
        services.TryAddSingleton<AttachmentMetrics>();
        services.TryAddSingleton<IUploadBudget, InProcessUploadBudget>();
        services.TryAddScoped<AttachmentService>();
        services.TryAddScoped<AttachmentSweeper>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AttachmentCleanupService>());
    }
}

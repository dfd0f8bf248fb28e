using Marketplace.Chat.Attachments.Inspection;
using Marketplace.Chat;
using Marketplace.Chat.Attachments;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the attachment feature: inspection, storage, upload and download, and the sweep of unsent uploads.</summary>
public static class ChatAttachmentsRegistration
{
    /// <summary>
    /// Keeps attachment bytes in <typeparamref name="TStore"/> instead of the built-in file-system store
    /// (a singleton; the chat generates nothing but keys through it and decides access itself).
    /// </summary>
    public static ChatBuilder AddAttachmentStore<TStore>(this ChatBuilder builder)
        where TStore : class, IChatAttachmentStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IChatAttachmentStore>();
        builder.Services.AddSingleton<IChatAttachmentStore, TStore>();
        return builder;
    }

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

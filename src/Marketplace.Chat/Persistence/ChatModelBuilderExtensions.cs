using Marketplace.Chat.Persistence;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the chat's tables to the host's own <see cref="DbContext"/> model.</summary>
public static class ChatModelBuilderExtensions
{
    /// <summary>
    /// Adds the chat model (conversations, participants, log entries, transitions, attachments, notifications) to the host's DbContext.
    /// Call it from <c>OnModelCreating</c>; the host owns the context and its migrations.
    /// </summary>
    public static ModelBuilder AddMarketplaceChat(this ModelBuilder modelBuilder, Action<ChatModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var options = new ChatModelOptions();
        configure?.Invoke(options);
        if (string.IsNullOrWhiteSpace(options.TablePrefix) && options.TablePrefix is not "")
        {
            throw new InvalidOperationException("ChatModelOptions.TablePrefix must not be whitespace; use \"\" for no prefix.");
        }

        ChatModelConfiguration.Apply(modelBuilder, options);
        return modelBuilder;
    }
}

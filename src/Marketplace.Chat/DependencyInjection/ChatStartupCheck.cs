using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketplace.Chat.DependencyInjection;

/// <summary>Fails the host's start when a registration step is missing, naming the call that fixes it.</summary>
internal sealed class ChatStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Verify(services);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Throws <see cref="InvalidOperationException"/> with the fix when the chat is not fully registered.</summary>
    public static void Verify(IServiceProvider services)
    {
        var registration = services.GetService<ChatStoreRegistration>()
            ?? throw new InvalidOperationException(
                "Marketplace.Chat has no store. Call services.AddMarketplaceChat(...).AddEntityFrameworkStores<YourDbContext>().");

        if (services.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(typeof(ITransactionPartyResolver)))
        {
            throw new InvalidOperationException(
                "Marketplace.Chat cannot tell who the buyer and seller of a transaction are. Implement ITransactionPartyResolver and call "
                + "services.AddMarketplaceChat(...).AddTransactionPartyResolver<YourResolver>().");
        }

        if (!services.GetRequiredService<ChatLogKeys>().HasCurrent)
        {
            throw new InvalidOperationException(ChatLogKeys.MissingKeyMessage);
        }

        using var scope = services.CreateScope();
        var context = (DbContext)scope.ServiceProvider.GetRequiredService(registration.ContextType);
        if (context.Model.FindEntityType(typeof(ConversationRecord)) is null)
        {
            throw new InvalidOperationException(
                $"The DbContext {registration.ContextType.Name} has no chat tables in its model. Call modelBuilder.AddMarketplaceChat() "
                + $"in {registration.ContextType.Name}.OnModelCreating, then add a migration.");
        }
    }
}

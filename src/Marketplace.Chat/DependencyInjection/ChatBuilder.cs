using System.ComponentModel;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Continues the chat's registration: storage and the host's marketplace answers.</summary>
public sealed class ChatBuilder
{
    internal ChatBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection, for extensions.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IServiceCollection Services { get; }

    /// <summary>
    /// Stores the chat in the host's own <typeparamref name="TContext"/>, whose <c>OnModelCreating</c> must call
    /// <c>modelBuilder.AddMarketplaceChat()</c>; the host owns the context and its migrations.
    /// </summary>
    public ChatBuilder AddEntityFrameworkStores<TContext>()
        where TContext : DbContext
    {
        Services.RemoveAll<ChatStoreRegistration>();
        Services.AddSingleton(new ChatStoreRegistration(typeof(TContext)));
        Services.RemoveAll<ChatStore>();
        Services.AddScoped(sp => new ChatStore(sp.GetRequiredService<TContext>(), sp.GetRequiredService<TimeProvider>()));
        return this;
    }

    /// <summary>Registers the host's answer to "who are the buyer and seller of this transaction".</summary>
    public ChatBuilder AddTransactionPartyResolver<TResolver>()
        where TResolver : class, ITransactionPartyResolver
    {
        Services.RemoveAll<ITransactionPartyResolver>();
        Services.AddScoped<ITransactionPartyResolver, TResolver>();
        return this;
    }

    /// <summary>Changes the chat's options after <c>AddMarketplaceChat</c>.</summary>
    public ChatBuilder Configure(Action<Marketplace.Chat.ChatOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}

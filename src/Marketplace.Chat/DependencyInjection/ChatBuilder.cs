using System.ComponentModel;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Notifications;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
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
        Services.AddScoped(sp => new ChatStore(
            typeof(TContext), () => sp.GetRequiredService<TContext>(), sp.GetRequiredService<TimeProvider>(), sp.GetServices<IChatCommitContributor>()));

        // EF Core logs every failed command, save, query, transaction and connection at Error, stack trace included: a retried send
        // meeting its own unique key, or each call during a database outage, would be an Error line although the chat
        // answers it (the stored copy; Unavailable). The failure still reaches the caller as an exception, and the chat's
        // edge logs what it could not answer once (Warning for an outage, Error with an id for a bug).
        Services.ConfigureDbContext<TContext>(o => o.ConfigureWarnings(w => w.Log(
            (RelationalEventId.CommandError, LogLevel.Debug),
            (RelationalEventId.ConnectionError, LogLevel.Debug),
            (RelationalEventId.TransactionError, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug))));
        return this;
    }

    /// <summary>
    /// Sets the key new log entries are chained with (HMAC-SHA256): at least 32 random bytes, kept outside the database
    /// (a secret store, a key file), under an id that is stored with every entry so keys can rotate. Call it once.
    /// </summary>
    /// <param name="keyId">The key's id: 1 to 40 letters, digits, '-', '_' or '.', e.g. <c>log-2026-01</c>.</param>
    /// <param name="key">The key's bytes.</param>
    public ChatBuilder AddLogKey(string keyId, byte[] key)
    {
        ChatLogKeys.Validate(keyId, key);
        Services.AddSingleton(new ChatLogKeyRegistration(keyId, (byte[])key.Clone(), IsCurrent: true));
        return this;
    }

    /// <summary>
    /// Adds a former log key that only verifies the entries written with it (after a rotation to a new
    /// <see cref="AddLogKey"/>). Entries made with a key the host no longer holds verify as <c>UnknownKey</c>.
    /// </summary>
    /// <param name="keyId">The former key's id.</param>
    /// <param name="key">The former key's bytes.</param>
    public ChatBuilder AddRetiredLogKey(string keyId, byte[] key)
    {
        ChatLogKeys.Validate(keyId, key);
        Services.AddSingleton(new ChatLogKeyRegistration(keyId, (byte[])key.Clone(), IsCurrent: false));
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

    /// <summary>Registers one instance as the host's answer to "who are the buyer and seller of this transaction"; it must be safe to share.</summary>
    public ChatBuilder AddTransactionPartyResolver(ITransactionPartyResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        Services.RemoveAll<ITransactionPartyResolver>();
        Services.AddSingleton(resolver);
        return this;
    }

    /// <summary>Registers a factory, called once per scope (request, hub call), that builds the host's party resolver.</summary>
    public ChatBuilder AddTransactionPartyResolver(Func<IServiceProvider, ITransactionPartyResolver> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<ITransactionPartyResolver>();
        Services.AddScoped(factory);
        return this;
    }

    /// <summary>
    /// Answers a <see cref="Marketplace.Chat.ChatException"/> thrown by any of the host's endpoints with the chat's ProblemDetails
    /// (the status table of <see cref="Marketplace.Chat.Routing.ChatProblemDetails"/>). Needs <c>app.UseExceptionHandler()</c> in the pipeline.
    /// </summary>
    public ChatBuilder AddProblemDetails()
    {
        Services.AddProblemDetails();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Diagnostics.IExceptionHandler, Marketplace.Chat.Routing.ChatExceptionHandler>());
        return this;
    }

    /// <summary>Adds a host notification handler (e-mail, push...); it gets every notification after commit, at least once.</summary>
    public ChatBuilder AddNotificationHandler<THandler>()
        where THandler : class, IChatNotificationHandler
    {
        Services.TryAddEnumerable(ServiceDescriptor.Scoped<IChatNotificationHandler, THandler>());
        return this;
    }

    /// <summary>Posts every notification to a URL, signed with HMAC-SHA256 (see <see cref="ChatWebhookOptions"/>).</summary>
    public ChatBuilder AddWebhookNotifications(Action<ChatWebhookOptions> configure)
    {
        Services.AddOptions<ChatWebhookOptions>().Configure(configure).Validate(
            o => o.Url is { IsAbsoluteUri: true } && o.Url.Scheme is "https" or "http" && o.Secret.Length >= 16 && o.Timeout > TimeSpan.Zero,
            "ChatWebhookOptions needs an absolute http(s) Url, a Secret of at least 16 characters and a positive Timeout.")
            .ValidateOnStart();
        Services.AddHttpClient(WebhookNotificationHandler.ClientName);
        return AddNotificationHandler<WebhookNotificationHandler>();
    }

    /// <summary>Tells the chat who the administrators are, so new disputes notify them before anyone joins.</summary>
    public ChatBuilder AddAdministrators<TDirectory>()
        where TDirectory : class, IChatAdministrators
    {
        Services.RemoveAll<IChatAdministrators>();
        Services.AddScoped<IChatAdministrators, TDirectory>();
        return this;
    }

    /// <summary>
    /// Keeps attachment bytes in <typeparamref name="TStore"/> instead of the built-in file-system store
    /// (a singleton; the chat generates nothing but keys through it and decides access itself).
    /// </summary>
    public ChatBuilder AddAttachmentStore<TStore>()
        where TStore : class, Marketplace.Chat.Attachments.IChatAttachmentStore
    {
        Services.RemoveAll<Marketplace.Chat.Attachments.IChatAttachmentStore>();
        Services.AddSingleton<Marketplace.Chat.Attachments.IChatAttachmentStore, TStore>();
        return this;
    }

    /// <summary>Changes the chat's options after <c>AddMarketplaceChat</c>.</summary>
    public ChatBuilder Configure(Action<Marketplace.Chat.ChatOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}

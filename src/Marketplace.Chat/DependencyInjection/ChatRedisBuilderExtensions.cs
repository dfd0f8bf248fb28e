using Marketplace.Chat.Hubs;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Presence;
using Marketplace.Chat.Redis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Scales the chat out over several nodes with Redis.</summary>
public static class ChatRedisBuilderExtensions
{
    /// <summary>
    /// Runs the chat on several nodes with Redis, reading the connection string <c>ConnectionStrings:Redis</c>. See
    /// <see cref="AddRedis(ChatBuilder, Action{ChatRedisOptions})"/>.
    /// </summary>
    public static ChatBuilder AddRedis(this ChatBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "AddRedis(configuration) needs a connection string named Redis (ConnectionStrings:Redis, e.g. \"localhost:6379\"); " +
                "or call AddRedis(o => o.ConnectionString = ...).");
        }

        return builder.AddRedis(o => o.ConnectionString = connectionString);
    }

    /// <summary>
    /// Runs the chat on several nodes with Redis: the SignalR Redis backplane for both chat hubs (live events reach
    /// clients on every node), presence across nodes (a dead node's users go offline within
    /// <see cref="ChatRedisOptions.PresenceOfflineBound"/>), one per-user budget and connection cap across all nodes and
    /// restarts, and a <c>marketplace-chat-redis</c> health check that reports Degraded while Redis is unreachable. Redis is
    /// never on the durability path: with it down, messages are still stored and acknowledged.
    /// </summary>
    public static ChatBuilder AddRedis(this ChatBuilder builder, Action<ChatRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<ChatRedisOptions>().Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), "ChatRedisOptions.ConnectionString is required, e.g. \"localhost:6379\".")
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.EntryLifetime > o.HeartbeatInterval && o.OperationTimeout > TimeSpan.Zero,
                "ChatRedisOptions: HeartbeatInterval and OperationTimeout must be positive and EntryLifetime longer than HeartbeatInterval.")
            .Validate(o => !string.IsNullOrEmpty(o.KeyPrefix), "ChatRedisOptions.KeyPrefix must not be empty.")
            .ValidateOnStart();

        services.TryAddSingleton<ChatRedisConnection>();
        services.TryAddSingleton<RedisCalls>();
        services.TryAddSingleton<RedisChatBudgetStore>();
        services.TryAddSingleton<RedisChatConnectionRegistry>();
        services.TryAddSingleton<RedisChatPresence>();
        services.Replace(ServiceDescriptor.Singleton<IChatBudgetStore>(sp => sp.GetRequiredService<RedisChatBudgetStore>()));
        services.Replace(ServiceDescriptor.Singleton<IChatConnectionRegistry>(sp => sp.GetRequiredService<RedisChatConnectionRegistry>()));
        services.Replace(ServiceDescriptor.Singleton<IChatPresence>(sp => sp.GetRequiredService<RedisChatPresence>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, ChatRedisHeartbeat>());

        // The backplane for the chat hubs only (the host's own hubs keep whatever they use), on the chat's one connection.
        services.AddOptions<RedisOptions>().Configure<ChatRedisConnection, IOptions<ChatRedisOptions>>((redis, connection, chat) =>
        {
            redis.Configuration = ChatRedisConnection.Configuration(chat.Value);
            redis.ConnectionFactory = _ => connection.MultiplexerAsync();
        });
        services.Replace(ServiceDescriptor.Singleton<HubLifetimeManager<TransactionChatHub>, ResilientRedisHubLifetimeManager<TransactionChatHub>>());
        services.Replace(ServiceDescriptor.Singleton<HubLifetimeManager<DisputeChatHub>, ResilientRedisHubLifetimeManager<DisputeChatHub>>());

        services.AddHealthChecks().AddCheck<ChatRedisHealthCheck>("marketplace-chat-redis", HealthStatus.Degraded, ["redis"], TimeSpan.FromSeconds(2));
        return builder;
    }
}

using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketplace.Chat.IntegrationTests.Support;

/// <summary>
/// The package wired as a host wires it (AddMarketplaceChat + AddEntityFrameworkStores + a resolver) on a fresh
/// PostgreSQL database. Each call to <see cref="Scope"/> is one request's worth of services and DbContext.
/// </summary>
public sealed class ChatHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private ChatHarness(IHost host, TestParties parties, ManualClock clock, string connectionString)
    {
        _host = host;
        Parties = parties;
        Clock = clock;
        ConnectionString = connectionString;
    }

    public TestParties Parties { get; }

    public ManualClock Clock { get; }

    /// <summary>Counts the SQL commands the package sends.</summary>
    public CommandCounter Commands => _host.Services.GetRequiredService<CommandCounter>();

    public string ConnectionString { get; }

    public static async Task<ChatHarness> StartAsync(PostgresFixture postgres, Action<ChatOptions>? configure = null, string? name = null)
    {
        var connectionString = await postgres.CreateDatabaseAsync(name ?? "chat");
        var parties = new TestParties();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        // Built like a worker or web host builds its services (lifetime, logging, options), but never started.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        var services = builder.Services;
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(parties);
        services.AddSingleton<CommandCounter>();
        services.AddDbContext<ChatTestDbContext>((sp, o) => o.UseNpgsql(connectionString).AddInterceptors(sp.GetRequiredService<CommandCounter>()));
        services.AddMarketplaceChat(configure)
            .AddEntityFrameworkStores<ChatTestDbContext>()
            .AddLogKey(TestLogKeys.CurrentId, TestLogKeys.Current)
            .AddTransactionPartyResolver<SharedParties>();
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChatTestDbContext>().Database.EnsureCreatedAsync();
        }

        return new ChatHarness(host, parties, clock, connectionString);
    }

    public AsyncServiceScope Scope() => _host.Services.CreateAsyncScope();

    /// <summary>Runs one call with its own scope, as one request would.</summary>
    public async Task<T> Lifecycle<T>(Func<IChatLifecycle, Task<T>> call)
    {
        await using var scope = Scope();
        return await call(scope.ServiceProvider.GetRequiredService<IChatLifecycle>());
    }

    /// <summary>Runs one call with its own scope, as one request would.</summary>
    public async Task<T> Messaging<T>(Func<IChatMessaging, Task<T>> call)
    {
        await using var scope = Scope();
        return await call(scope.ServiceProvider.GetRequiredService<IChatMessaging>());
    }

    /// <summary>Runs one query against the database.</summary>
    public async Task<T> Db<T>(Func<ChatTestDbContext, Task<T>> query)
    {
        await using var scope = Scope();
        return await query(scope.ServiceProvider.GetRequiredService<ChatTestDbContext>());
    }

    /// <summary>Registers a transaction with fresh parties and returns its id and conversation.</summary>
    public async Task<(string TransactionId, ChatConversationInfo Chat, ChatUser Buyer, ChatUser Seller)> NewTransactionAsync(bool paid = false)
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..12];
        var buyer = new ChatUser("buyer-" + id);
        var seller = new ChatUser("seller-" + id);
        Parties.Transactions[id] = new TransactionParties(buyer.UserId, seller.UserId);
        var registered = await Lifecycle(l => l.RegisterTransactionAsync(id));
        if (paid)
        {
            registered = await Lifecycle(l => l.ConfirmPaymentAsync(id));
        }

        return (id, registered.Conversation, buyer, seller);
    }

    public ValueTask DisposeAsync()
    {
        _host.Dispose();

        // Idle pooled connections to this test's database would otherwise count against the shared cluster's max_connections.
        using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        Npgsql.NpgsqlConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    /// <summary>Adapts the harness's table to the resolver interface the package asks for.</summary>
    private sealed class SharedParties(TestParties parties) : ITransactionPartyResolver
    {
        public ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
            parties.FindPartiesAsync(transactionId, cancellationToken);
    }
}

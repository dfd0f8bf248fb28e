using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketplace.Chat.IntegrationTests.Notifications;

[Collection(PostgresCollection.Name)]
public sealed class HealthShould(PostgresFixture postgres)
{
    [Fact]
    public async Task Report_healthy_then_degraded_when_notifications_wait_for_dispatch()
    {
        await using var host = await ChatTestHost.StartAsync(
            await postgres.CreateDatabaseAsync("health"),
            o => { o.Notifications.DispatcherEnabled = false; o.Notifications.BacklogWarning = TimeSpan.Zero; },
            chat: b => b.Services.AddHealthChecks().AddMarketplaceChat());
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync();
        host.Parties.Transactions["tx-h"] = new TransactionParties("b", "s");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-h"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-h"));
        var after = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(HealthStatus.Degraded, after.Status);
        Assert.Equal(2, after.Entries["marketplace-chat"].Data["late_notifications"]);
    }

    [Fact]
    public async Task Report_unhealthy_when_the_database_does_not_answer()
    {
        var database = await postgres.CreateDatabaseAsync("health_down");
        await using var host = await ChatTestHost.StartAsync(database, chat: b => b.Services.AddHealthChecks().AddMarketplaceChat());
        await using (var admin = new Npgsql.NpgsqlConnection(postgres.AdminConnectionString))
        {
            await admin.OpenAsync();
            var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }
}

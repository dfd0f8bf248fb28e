using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketplace.Chat.Sample.Data;

/// <summary>Reports the sample's database as healthy when a connection can be opened.</summary>
public sealed class DatabaseHealthCheck(SampleDbContext db) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy("The database is reachable.")
            : HealthCheckResult.Unhealthy("The database is not reachable.");
}

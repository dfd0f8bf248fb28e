using Marketplace.Chat.Sample.Data;
using Marketplace.Chat.Sample.Hosting;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

// The sample's database: ConnectionStrings:Chat when given, else a private PostgreSQL cluster in App_Data.
PostgresCluster? embedded = null;
var connectionString = builder.Configuration.GetConnectionString("Chat");
if (string.IsNullOrWhiteSpace(connectionString))
{
    try
    {
        embedded = await PostgresCluster.StartAsync(new PostgresClusterOptions
        {
            DataDirectory = Path.Combine(builder.Environment.ContentRootPath, "App_Data", "postgres"),
            Port = builder.Configuration.GetValue("Sample:PostgresPort", 0),
        });
        connectionString = embedded.ConnectionString("marketplace");
        await embedded.CreateDatabaseAsync("marketplace");
        Console.WriteLine($"Embedded PostgreSQL is running on 127.0.0.1:{embedded.Port} (data in {embedded.DataDirectory}).");
    }
    catch (PostgresNotFoundException missing)
    {
        await Console.Error.WriteLineAsync(missing.Message);
        await Console.Error.WriteLineAsync("Or point the sample at a database: set ConnectionStrings__Chat.");
        return 1;
    }
}

builder.Services.AddDbContext<SampleDbContext>(o => o.UseNpgsql(connectionString));
builder.Services.AddMarketplaceChat(o => o.AdminRole = "Admin")
    .AddEntityFrameworkStores<SampleDbContext>()
    .AddTransactionPartyResolver<OrderParties>();
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    // The full sample (issue 6) moves this to EF migrations; until then the schema is created on first start.
    await scope.ServiceProvider.GetRequiredService<SampleDbContext>().Database.EnsureCreatedAsync();
}

app.UseWebSockets();
app.MapMarketplaceChat("/chat");
app.MapHealthChecks("/health");
app.MapGet("/", () => Results.Text(
    "Marketplace.Chat sample: hubs at /chat/transactions and /chat/disputes, health at /health.", "text/plain"));

try
{
    await app.RunAsync();
}
finally
{
    if (embedded is not null)
    {
        await embedded.DisposeAsync();
    }
}

return 0;

/// <summary>Exposes the entry point to integration tests.</summary>
public partial class Program;

using Marketplace.Chat.EmbeddedPostgres;
using Marketplace.Chat.Sample;
using Marketplace.Chat.Sample.Chat;
using Marketplace.Chat.Sample.Data;
using Marketplace.Chat.Sample.Hosting;
using Microsoft.EntityFrameworkCore;

try
{
    await using var sample = await Program.BuildAsync(new WebApplicationOptions { Args = args });
    await sample.App.RunAsync();
    return 0;
}
catch (PostgresNotFoundException missing)
{
    // No stack trace for the one problem a fresh machine is likely to have: say what to install instead.
    await Console.Error.WriteLineAsync(missing.Message);
    await Console.Error.WriteLineAsync("Or point the sample at a database: set ConnectionStrings__Chat.");
    return 1;
}

/// <summary>The sample marketplace. <see cref="BuildAsync"/> is the whole composition; the chat's part is the README's "Integrating it".</summary>
public partial class Program
{
    /// <summary>Builds the site and prepares its database; the browser tests call it too (through <see cref="SampleApp.CreateAsync"/>).</summary>
    public static async Task<SampleApp> BuildAsync(WebApplicationOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(options);
        var database = await SampleDatabase.StartAsync(builder, cancellationToken);   // ConnectionStrings:Chat, else a private PostgreSQL
        try
        {
            // The chat, as the README's "Integrating it" shows it. Chat/ holds the rest: the party resolver, the lifecycle calls
            // from the shop's code (OrderChat), the opt-in webhook with its receiver, OpenTelemetry.
            builder.Services.AddDbContext<SampleDbContext>(o => o.UseNpgsql(database.ConnectionString));
            builder.Services.AddMarketplaceChat(o => o.AdminRole = User.AdminRole)
                .AddEntityFrameworkStores<SampleDbContext>()
                .AddTransactionPartyResolver<OrderParties>()   // "who are the buyer and seller of order X?"
                .AddLogKey(SampleLogKey.KeyId, SampleLogKey.LoadOrCreate(builder))   // the key the conversation logs are chained with
                .AddEvidenceExport(o => o.SigningKey = SampleEvidenceKey.LoadOrCreate(builder))   // admins export signed dispute evidence
                .AddProblemDetails()                           // a ChatException from any endpoint answers as the chat's ProblemDetails
                .AddSampleWebhook(builder.Configuration)       // Sample:Webhook:Enabled switches the built-in webhook on
                .AddSampleScaleOut(builder.Configuration);     // ConnectionStrings:Redis: several nodes (scripts/cluster.sh)
            builder.AddChatTelemetry();                        // Sample:Telemetry:Exporter = console | otlp
            builder.AddShop();                                 // sign-in, security defaults, the shop's services

            var app = builder.Build();
            await database.PrepareAsync(app, cancellationToken);   // migrations, demo data
            app.UseShop();
            app.MapMarketplaceChat("/chat").RequireAuthorization();
            app.MapSampleWebhook();
            app.MapShop();
            return new SampleApp(app, database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}

using System.Security;
using System.Text.Json;

namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>
/// A brand-new ASP.NET Core host, written outside the repository, that references the packed Marketplace.Chat the
/// way a marketplace would (PackageReference + Npgsql) and wires it up exactly as the README shows.
/// </summary>
public sealed record ConsumerHost(string ProjectFolder, CommandResult Build, string? GlobalPackagesFolder, IReadOnlyList<string> ResolvedLibraries)
{
    public const string ProjectName = "ShopHost";

    public string OutputFolder => Path.Combine(ProjectFolder, "bin", "Release", "net10.0");

    public string AssemblyPath => Path.Combine(OutputFolder, ProjectName + ".dll");

    public static async Task<ConsumerHost> CreateAndBuildAsync(PackedLibrary package)
    {
        var folder = Path.Combine(package.WorkFolder, "consumer");
        Directory.CreateDirectory(folder);
        Write(folder, "nuget.config", NuGetConfig(package.PackagesFolder));
        Write(folder, ProjectName + ".csproj", Project(package.Version));
        Write(folder, "Program.cs", Program);

        // Stop MSBuild's upward search here: nothing from /tmp or above applies, and no central package management.
        Write(folder, "Directory.Build.props", "<Project />\n");
        Write(folder, "Directory.Build.targets", "<Project />\n");
        Write(folder, "Directory.Packages.props",
            "<Project>\n  <PropertyGroup>\n    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>\n  </PropertyGroup>\n</Project>\n");

        var build = await DotnetCommand.RunAsync(folder, ["build", ProjectName + ".csproj", "-c", "Release", "-nodeReuse:false"]);
        var (globalPackages, libraries) = ReadAssets(Path.Combine(folder, "obj", "project.assets.json"));
        return new ConsumerHost(folder, build, globalPackages, libraries);
    }

    private static void Write(string folder, string name, string text) => File.WriteAllText(Path.Combine(folder, name), text);

    /// <summary>Only the freshly packed folder and nuget.org (reached through the machine's mirror); Marketplace.Chat only from the former.</summary>
    private static string NuGetConfig(string packagesFolder) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{SecurityElement.Escape(packagesFolder)}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="local">
              <package pattern="Marketplace.Chat" />
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>

        """;

    /// <summary>
    /// Warnings are errors, so a version conflict or downgrade in the package's dependency graph fails the build;
    /// vulnerability auditing is off because it is not what this test is about and needs another network round trip.
    /// </summary>
    private static string Project(string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk.Web">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
            <NuGetAudit>false</NuGetAudit>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Marketplace.Chat" Version="{version}" />
            <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="10.0.0" />
          </ItemGroup>
        </Project>

        """;

    /// <summary>
    /// The README's integration, verbatim where it can be. With <c>--smoke</c> the host starts (which runs the chat's
    /// start-up check: store, party resolver, chat tables in the model), prints the chat tables, and stops; no database
    /// is contacted because nothing queries it.
    /// </summary>
    private const string Program = """
        using Marketplace.Chat.Conversations;
        using Marketplace.Chat.Lifecycle;
        using Microsoft.EntityFrameworkCore;

        var builder = WebApplication.CreateBuilder(args);
        var connectionString = builder.Configuration.GetConnectionString("Shop") ?? "Host=127.0.0.1;Database=shop;Username=shop";

        builder.Services.AddDbContext<ShopDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddMarketplaceChat(o => o.AdminRole = "Admin")
            .AddEntityFrameworkStores<ShopDbContext>()
            .AddTransactionPartyResolver<ShopParties>()
            .AddLogKey("shop-log-1", Convert.FromBase64String(builder.Configuration["Chat:LogKey"] ?? "c2hvcC1sb2cta2V5LWZvci10aGUtcGFja2FnZS10ZXN0cw=="));

        var app = builder.Build();

        // The payment webhook.
        app.MapPost("/payments/{orderId}/confirmed", async (string orderId, string eventId, IChatLifecycle chat, CancellationToken cancellationToken) =>
        {
            LifecycleResult result = await chat.ConfirmPaymentAsync(orderId, new(ActorId: "payments", EventId: eventId), cancellationToken);
            return Results.Ok(new { result.Conversation.State, result.Applied });
        });

        if (args.Contains("--smoke"))
        {
            await app.StartAsync();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                _ = scope.ServiceProvider.GetRequiredService<IChatLifecycle>();
                var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
                foreach (var entity in db.Model.GetEntityTypes())
                {
                    Console.WriteLine($"table {entity.GetSchema()}.{entity.GetTableName()}");
                }
            }

            await app.StopAsync();
            Console.WriteLine("smoke: started and stopped");
            return;
        }

        app.Run();

        public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
        {
            protected override void OnModelCreating(ModelBuilder modelBuilder)
            {
                base.OnModelCreating(modelBuilder);
                modelBuilder.AddMarketplaceChat(o => o.Schema = "chat");
            }
        }

        /// <summary>"Who are the buyer and seller of transaction X?" A real shop would look the order up.</summary>
        public sealed class ShopParties : ITransactionPartyResolver
        {
            public ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
                ValueTask.FromResult<TransactionParties?>(new TransactionParties("buyer-of-" + transactionId, "seller-of-" + transactionId));
        }

        """;

    /// <summary>The global packages folder and the libraries (id/version) that restore resolved, when it got that far.</summary>
    private static (string? GlobalPackagesFolder, IReadOnlyList<string> Libraries) ReadAssets(string path)
    {
        if (!File.Exists(path))
        {
            return (null, []);
        }

        using var assets = JsonDocument.Parse(File.ReadAllText(path));
        var root = assets.RootElement;
        var globalPackages = root.TryGetProperty("packageFolders", out var folders)
            ? folders.EnumerateObject().Select(p => p.Name).FirstOrDefault()
            : null;
        var libraries = root.TryGetProperty("libraries", out var found)
            ? found.EnumerateObject().Select(p => p.Name).ToList()
            : [];
        return (globalPackages, libraries);
    }
}

using System.Security;
using System.Text.Json;

namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>
/// A brand-new ASP.NET Core host, written outside the repository, that references the packed Marketplace.Chat the
/// way a marketplace would (PackageReference + Npgsql) and is wired with the README's "Integrating it" lines, verbatim.
/// </summary>
public sealed record ConsumerHost(string ProjectFolder, CommandResult Build, string? GlobalPackagesFolder, IReadOnlyList<string> ResolvedLibraries)
{
    public const string ProjectName = "ShopHost";

    public string OutputFolder => Path.Combine(ProjectFolder, "bin", "Release", "net10.0");

    public string AssemblyPath => Path.Combine(OutputFolder, ProjectName + ".dll");

    public string AssetsPath => Path.Combine(ProjectFolder, "obj", "project.assets.json");

    public static async Task<ConsumerHost> CreateAndBuildAsync(PackedLibrary package)
    {
        var folder = Path.Combine(package.WorkFolder, "consumer");
        Directory.CreateDirectory(folder);
        var machinePackages = await MachineGlobalPackagesFolderAsync(folder);
        Write(folder, "nuget.config", NuGetConfig(package.PackagesFolder, package.ConsumerPackagesFolder, machinePackages));
        Write(folder, ProjectName + ".csproj", Project(package.Version));
        Write(folder, "Program.cs", Program(ReadmeIntegration.Read(package.RepositoryRoot)));

        // Stop MSBuild's upward search here: nothing from /tmp or above applies, and no central package management.
        Write(folder, "Directory.Build.props", "<Project />\n");
        Write(folder, "Directory.Build.targets", "<Project />\n");
        Write(folder, "Directory.Packages.props",
            "<Project>\n  <PropertyGroup>\n    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>\n  </PropertyGroup>\n</Project>\n");

        var build = await DotnetCommand.RunAsync(folder, ["build", ProjectName + ".csproj", "-c", "Release", "-nodeReuse:false"]);
        var (globalPackages, libraries) = ReadAssets(Path.Combine(folder, "obj", "project.assets.json"));
        return new ConsumerHost(folder, build, globalPackages, libraries);
    }

    /// <summary>
    /// A copy of this host taken through the README's "Migrations" commands, verbatim (tool manifest, dotnet-ef, the EF
    /// design package, <c>dotnet ef migrations add</c>, <c>dotnet ef database update</c> against <paramref name="environment"/>'s
    /// database), then built; the copy keeps this host's own restore and assets untouched for the other tests.
    /// </summary>
    public async Task<MigratedHost> MigrateAsync(ReadmeIntegration readme, IReadOnlyDictionary<string, string> environment)
    {
        var folder = ProjectFolder + "-migrated";
        foreach (var file in Directory.EnumerateFiles(ProjectFolder))
        {
            Directory.CreateDirectory(folder);
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }

        var commands = new List<CommandResult>();
        foreach (var command in readme.MigrationCommands)
        {
            var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words[0] != "dotnet")
            {
                throw new InvalidOperationException($"README.md's migration command '{command}' is not a dotnet command.");
            }

            var result = await DotnetCommand.RunAsync(folder, words[1..], TimeSpan.FromMinutes(5), environment);
            commands.Add(result);
            if (!result.Succeeded)
            {
                return new MigratedHost(folder, commands, null);
            }
        }

        var build = await DotnetCommand.RunAsync(folder, ["build", ProjectName + ".csproj", "-c", "Release", "-nodeReuse:false"]);
        return new MigratedHost(folder, commands, build);
    }

    private static void Write(string folder, string name, string text) => File.WriteAllText(Path.Combine(folder, name), text);

    /// <summary>The machine's global packages folder (NUGET_PACKAGES or ~/.nuget/packages), which the consumer reads but never writes.</summary>
    private static async Task<string?> MachineGlobalPackagesFolderAsync(string folder)
    {
        var locals = await DotnetCommand.RunAsync(folder, ["nuget", "locals", "global-packages", "--list"], TimeSpan.FromMinutes(1));
        const string prefix = "global-packages:";
        var line = locals.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : line[prefix.Length..].Trim();
    }

    /// <summary>
    /// Only the freshly packed folder and nuget.org (reached through the machine's mirror); Marketplace.Chat only from the
    /// former. Restore extracts into a global packages folder of this run's own, so the packed version is the one used even
    /// when an older build of the same version sits in the machine's cache, which only serves the other packages (fallback).
    /// </summary>
    private static string NuGetConfig(string packagesFolder, string consumerPackagesFolder, string? machinePackagesFolder) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config>
            <add key="globalPackagesFolder" value="{SecurityElement.Escape(consumerPackagesFolder)}" />
          </config>
          <fallbackPackageFolders>
            <clear />
            {(machinePackagesFolder is null ? "" : $"<add key=\"machine\" value=\"{SecurityElement.Escape(machinePackagesFolder)}\" />")}
          </fallbackPackageFolders>
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
    /// The host around the README's lines (marked below): the usings, the builder, the DbContext, the party resolver and
    /// the values the shop's code would have (an order, a payment webhook, a dispute, the buyer). With <c>--smoke</c> it
    /// starts (the chat's start-up checks run), migrates the database of <c>ConnectionStrings:Shop</c> (which fails while
    /// the model has changes no migration covers), runs the README's lifecycle calls against it, prints the tables and the
    /// conversations' states, and stops.
    /// </summary>
    private static string Program(ReadmeIntegration readme) => $$"""
        using Marketplace.Chat.Conversations;
        using Marketplace.Chat.Lifecycle;
        using Microsoft.EntityFrameworkCore;

        var builder = WebApplication.CreateBuilder(args);
        var connectionString = builder.Configuration.GetConnectionString("Shop") ?? "Host=127.0.0.1;Database=shop;Username=shop";

        // ---- README.md, "Integrating it": Program.cs ----
        {{readme.ProgramLines}}
        // ----

        var app = builder.Build();

        if (args.Contains("--smoke"))
        {
            await app.StartAsync();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
                await db.Database.MigrateAsync();
                foreach (var entity in db.Model.GetEntityTypes())
                {
                    Console.WriteLine($"table {entity.GetSchema()}.{entity.GetTableName()}");
                }

                var chat = scope.ServiceProvider.GetRequiredService<IChatLifecycle>();
                var order = new Order("order-1");
                var webhook = new PaymentWebhook("evt-1");
                var dispute = new Dispute("dispute-1");
                var buyerId = ShopParties.BuyerOf(order.Id);

                // ---- README.md, "Integrating it": the payment webhook, order and dispute code ----
                {{Indent(readme.LifecycleLines, 8)}}
                // ----

                var conversations = db.Model.GetEntityTypes().Single(e => e.GetTableName()!.EndsWith("conversations", StringComparison.Ordinal));
                var table = $"\"{conversations.GetSchema()}\".\"{conversations.GetTableName()}\"";
                var kind = conversations.FindProperty("Kind")!.GetColumnName();
                var state = conversations.FindProperty("State")!.GetColumnName();
                var sql = $"select \"{kind}\" || ' ' || \"{state}\" as \"Value\" from {table} order by \"{kind}\" desc"; // names from the model
                var states = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
                foreach (var line in states)
                {
                    Console.WriteLine("conversation " + line);
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

                // ---- README.md, "Integrating it": ShopDbContext.OnModelCreating ----
                {{Indent(readme.ModelLines, 8)}}
                // ----
            }
        }

        /// <summary>"Who are the buyer and seller of transaction X?" A real shop would look the order up.</summary>
        public sealed class ShopParties : ITransactionPartyResolver
        {
            public static string BuyerOf(string transactionId) => "buyer-of-" + transactionId;

            public ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
                ValueTask.FromResult<TransactionParties?>(new TransactionParties(BuyerOf(transactionId), "seller-of-" + transactionId));
        }

        public sealed record Order(string Id);

        public sealed record PaymentWebhook(string EventId);

        public sealed record Dispute(string Id);

        """;

    private static string Indent(string lines, int spaces) =>
        string.Join("\n" + new string(' ', spaces), lines.Split('\n'));

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

/// <summary>The consumer host after the README's migration commands: each command's result, then its Release build.</summary>
public sealed record MigratedHost(string ProjectFolder, IReadOnlyList<CommandResult> Commands, CommandResult? Build)
{
    public string AssemblyPath => Path.Combine(ProjectFolder, "bin", "Release", "net10.0", ConsumerHost.ProjectName + ".dll");

    public string OutputFolder => Path.GetDirectoryName(AssemblyPath)!;

    public string Describe() => string.Join(Environment.NewLine, Commands.Append(Build).OfType<CommandResult>().Select(c => c.Describe()));
}

using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;
using Marketplace.Chat.EmbeddedPostgres;
using Marketplace.Chat.PackageTests.Infrastructure;
using Xunit.Abstractions;

namespace Marketplace.Chat.PackageTests;

/// <summary>
/// The NuGet package, as a separate host receives it: packed at its real version as CI packs it, what the .nupkg/.snupkg
/// carry, what the nuspec declares (exactly the dependencies the assembly uses), and that a brand-new web project outside
/// the repository restores it, builds with the README's "Integrating it" lines and runs them against a real database.
/// </summary>
public sealed class PackageShould(PackedLibrary package, ITestOutputHelper output) : IClassFixture<PackedLibrary>
{
    private const string Lib = "lib/net10.0/";

    [Fact]
    public void Carry_the_readme_the_xml_docs_and_the_symbols()
    {
        package.RequirePackages();

        using var nupkg = ZipFile.OpenRead(package.PackagePath);
        AssertHolds(nupkg, package.PackagePath, "README.md", Lib + "Marketplace.Chat.dll", Lib + "Marketplace.Chat.xml");

        var metadata = Metadata(nupkg);
        Assert.Equal("README.md", Child(metadata, "readme")?.Value);
        Assert.StartsWith("# Marketplace.Chat", ReadText(nupkg, "README.md"), StringComparison.Ordinal);

        var docs = XDocument.Parse(ReadText(nupkg, Lib + "Marketplace.Chat.xml"));
        Assert.Equal("Marketplace.Chat", docs.Root?.Element("assembly")?.Element("name")?.Value);
        var confirmPayment = docs.Descendants("member").FirstOrDefault(m =>
            ((string?)m.Attribute("name"))?.StartsWith("M:Marketplace.Chat.Lifecycle.IChatLifecycle.ConfirmPaymentAsync(", StringComparison.Ordinal) == true);
        Assert.False(string.IsNullOrWhiteSpace(confirmPayment?.Element("summary")?.Value),
            "The XML docs have no summary for IChatLifecycle.ConfirmPaymentAsync.");

        // The assembly inside is the one just built, stamped with the packed version.
        var extracted = Path.Combine(package.WorkFolder, "inspect", "Marketplace.Chat.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(extracted)!);
        nupkg.GetEntry(Lib + "Marketplace.Chat.dll")!.ExtractToFile(extracted, overwrite: true);
        Assert.StartsWith(package.Version, FileVersionInfo.GetVersionInfo(extracted).ProductVersion ?? "", StringComparison.Ordinal);

        using var snupkg = ZipFile.OpenRead(package.SymbolsPackagePath);
        AssertHolds(snupkg, package.SymbolsPackagePath, Lib + "Marketplace.Chat.pdb");
        using var pdb = new MemoryStream();
        using (var entry = snupkg.GetEntry(Lib + "Marketplace.Chat.pdb")!.Open())
        {
            entry.CopyTo(pdb);
        }

        Assert.True("BSJB"u8.SequenceEqual(pdb.GetBuffer().AsSpan(0, 4)), "Marketplace.Chat.pdb in the .snupkg is not a portable PDB.");

        // A CI build is deterministic and maps source paths: the symbols name /_/src/..., never this machine's folders.
        pdb.Position = 0;
        using var symbols = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = symbols.GetMetadataReader();
        var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).ToList();
        Assert.Contains(documents, d => d.StartsWith("/_/src/Marketplace.Chat/", StringComparison.Ordinal));
        Assert.DoesNotContain(documents, d => d.Contains(package.RepositoryRoot.TrimEnd('/'), StringComparison.Ordinal));
    }

    [Fact]
    public void Pack_at_its_real_version_without_a_warning()
    {
        package.RequirePackages();

        Assert.Matches(@"^\d+\.\d+\.\d+$", package.Version); // a stable version, so NU5104 (a prerelease dependency) would fail the pack
        var warnings = package.Pack!.Output.Split('\n').Where(l => l.Contains(": warning ", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 0, "dotnet pack warned:" + Environment.NewLine + string.Join(Environment.NewLine, warnings));
        Assert.True(File.Exists(package.PackagePath), $"No {Path.GetFileName(package.PackagePath)}: the .nupkg is not named after the real version.");
    }

    [Fact]
    public void Describe_itself_completely()
    {
        package.RequirePackages();

        using var nupkg = ZipFile.OpenRead(package.PackagePath);
        var metadata = Metadata(nupkg);
        Assert.Equal("Marketplace.Chat", Child(metadata, "id")?.Value);
        Assert.Equal(package.Version, Child(metadata, "version")?.Value);
        foreach (var field in new[] { "authors", "description", "tags" })
        {
            Assert.False(string.IsNullOrWhiteSpace(Child(metadata, field)?.Value), $"The nuspec has no <{field}>.");
        }

        Assert.Contains("signalr", Child(metadata, "tags")!.Value.Split(' '));
        var license = Child(metadata, "license");
        Assert.Equal("expression", (string?)license?.Attribute("type"));
        Assert.Equal("MIT", license?.Value);
        Assert.Equal("README.md", Child(metadata, "readme")?.Value);

        var frameworks = Group(metadata, "frameworkReferences")
            .Elements().Where(e => e.Name.LocalName == "frameworkReference")
            .Select(e => (string?)e.Attribute("name"))
            .ToList();
        Assert.Equal(["Microsoft.AspNetCore.App"], frameworks);
    }

    [Fact]
    public async Task Depend_on_exactly_the_packages_its_assembly_uses()
    {
        var declared = DeclaredDependencies();
        foreach (var (id, version) in declared)
        {
            Assert.False(version is null || version.Contains('-', StringComparison.Ordinal), $"{id} {version}: a stable package cannot depend on a prerelease (NU5104).");
        }

        var central = CentralPackageVersions();
        foreach (var (id, version) in declared)
        {
            Assert.True(central.TryGetValue(id, out var pinned), $"Directory.Packages.props has no PackageVersion for {id}.");
            Assert.True(pinned == version, $"The nuspec asks for {id} {version}, Directory.Packages.props pins {pinned}.");
        }

        var consumer = await package.BuildConsumerAsync();
        Assert.True(consumer.Build.Succeeded, "The consumer host did not restore and build. " + consumer.Build.Describe());
        var assemblies = PackageAssemblies(consumer.AssetsPath);
        var references = AssemblyReferences(ExtractLibrary());
        output.WriteLine("Marketplace.Chat.dll references: " + string.Join(", ", references.Order(StringComparer.Ordinal)));
        output.WriteLine("declared: " + string.Join(", ", declared.Select(d => $"{d.Key} {d.Value}")));

        // Used: every declared package brings an assembly that Marketplace.Chat.dll references itself, or is a version floor
        // for a package another declared dependency needs (MessagePack under the Redis backplane: the mirror lacks the
        // version the backplane asks for).
        var needed = TransitiveDependencies(consumer.AssetsPath, declared.Keys);
        foreach (var id in declared.Keys)
        {
            var own = assemblies.TryGetValue(id, out var names) ? names : [];
            Assert.True(own.Overlaps(references) || needed.Contains(id),
                $"Marketplace.Chat declares a dependency on {id}, but its assembly references none of {id}'s assemblies [{string.Join(", ", own)}] and no other dependency needs it: remove the PackageReference.");
        }

        // Declared: every assembly it references comes from the shared frameworks or from what the dependencies bring.
        var available = SharedFrameworkAssemblies();
        available.UnionWith(assemblies.Values.SelectMany(a => a));
        var undeclared = references.Where(r => !available.Contains(r)).ToList();
        Assert.True(undeclared.Count == 0,
            $"Marketplace.Chat.dll references [{string.Join(", ", undeclared)}], which neither the shared frameworks nor its declared dependencies provide.");
    }

    [Fact]
    public async Task Restore_into_a_separate_host_and_build()
    {
        var consumer = await package.BuildConsumerAsync();
        output.WriteLine($"pack: {package.Pack?.Elapsed.TotalSeconds:F1} s, consumer restore + build: {consumer.Build.Elapsed.TotalSeconds:F1} s");

        Assert.True(consumer.Build.Succeeded, "The consumer host did not build against the package. " + consumer.Build.Describe());
        Assert.Contains($"Marketplace.Chat/{package.Version}", consumer.ResolvedLibraries);

        // The packed file itself was restored (into the consumer's own packages folder), not a cached build of that version.
        var restored = Path.Combine(package.ConsumerPackagesFolder, "marketplace.chat", package.Version, $"marketplace.chat.{package.Version}.nupkg");
        Assert.True(File.Exists(restored), $"Marketplace.Chat {package.Version} was not restored from the packed file into {package.ConsumerPackagesFolder}.");
        Assert.Equal(await File.ReadAllBytesAsync(package.PackagePath), await File.ReadAllBytesAsync(restored));

        var assemblies = PackageAssemblies(consumer.AssetsPath);
        foreach (var assembly in DeclaredDependencies().Keys.SelectMany(id => assemblies[id]).Append("Marketplace.Chat"))
        {
            Assert.True(File.Exists(Path.Combine(consumer.OutputFolder, assembly + ".dll")),
                $"{assembly}.dll is not in the consumer's output {consumer.OutputFolder}.");
        }
    }

    [Fact]
    public async Task Start_a_separate_host_wired_as_the_readme_shows()
    {
        var consumer = await package.BuildConsumerAsync();
        Assert.True(consumer.Build.Succeeded, "The consumer host did not build, so it cannot start. " + consumer.Build.Describe());

        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions
        {
            DataDirectory = Path.Combine(package.WorkFolder, "postgres"),
            DeleteOnDispose = true,
            Fsync = false,
        });
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // The host signs in as a role that owns its database and nothing more: its migrations run as it.
            ["ConnectionStrings__Shop"] = await cluster.CreateApplicationDatabaseAsync("shop", "shop_app"),
            // The key the README's integration reads for the conversation log's MAC (32 random bytes, never in the database).
            ["Chat__LogKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        };

        // The README's "Migrations" commands, as written there, in a copy of the host.
        var migrated = await consumer.MigrateAsync(ReadmeIntegration.Read(package.RepositoryRoot), environment);
        output.WriteLine(migrated.Describe());
        Assert.True(migrated.Build is { Succeeded: true }, "The README's migration commands did not go through. " + migrated.Describe());
        Assert.Single(Directory.GetFiles(Path.Combine(migrated.ProjectFolder, "Migrations"), "*_AddMarketplaceChat.cs"));

        var run = await DotnetCommand.RunAsync(migrated.OutputFolder, [migrated.AssemblyPath, "--smoke"], TimeSpan.FromMinutes(2), environment);
        output.WriteLine($"consumer start and stop: {run.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.Output);

        Assert.True(run.Succeeded, "The consumer host did not start and stop cleanly. " + run.Describe());
        Assert.Contains("smoke: started and stopped", run.Output, StringComparison.Ordinal);
        Assert.Contains("table chat.chat_", run.Output, StringComparison.Ordinal);

        // The README's lifecycle calls ran against the database: registered, paid, disputed, resolved by closing.
        Assert.Contains("conversation Transaction Closed", run.Output, StringComparison.Ordinal);
        Assert.Contains("conversation Dispute Resolved", run.Output, StringComparison.Ordinal);
    }

    private static void AssertHolds(ZipArchive archive, string path, params string[] expected)
    {
        var entries = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(e => !entries.Contains(e)).ToList();
        Assert.True(missing.Count == 0,
            $"{Path.GetFileName(path)} lacks [{string.Join(", ", missing)}]; it holds [{string.Join(", ", entries.Order(StringComparer.Ordinal))}].");
    }

    private static string ReadText(ZipArchive archive, string entry)
    {
        using var reader = new StreamReader(archive.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>The nuspec's metadata element (matched by local name: the nuspec namespace varies with the features used).</summary>
    private static XElement Metadata(ZipArchive nupkg)
    {
        var nuspec = nupkg.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal)
            && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
        using var stream = nuspec.Open();
        var metadata = Child(XDocument.Load(stream).Root!, "metadata");
        Assert.NotNull(metadata);
        return metadata;
    }

    private static XElement? Child(XElement parent, string localName) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    /// <summary>The net10.0 group of a nuspec section (dependencies, frameworkReferences).</summary>
    private static XElement Group(XElement metadata, string section)
    {
        var groups = Child(metadata, section)?.Elements().Where(e => e.Name.LocalName == "group").ToList() ?? [];
        var group = groups.FirstOrDefault(g => (string?)g.Attribute("targetFramework") == "net10.0");
        Assert.True(group is not null,
            $"The nuspec has no <{section}> group for net10.0; groups: [{string.Join(", ", groups.Select(g => (string?)g.Attribute("targetFramework")))}].");
        return group;
    }

    /// <summary>The nuspec's net10.0 dependencies: id to version.</summary>
    private Dictionary<string, string?> DeclaredDependencies()
    {
        package.RequirePackages();
        using var nupkg = ZipFile.OpenRead(package.PackagePath);
        return Group(Metadata(nupkg), "dependencies")
            .Elements().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string?)e.Attribute("version"), StringComparer.Ordinal);
    }

    /// <summary>Marketplace.Chat.dll as packed, extracted next to the other files of this run.</summary>
    private string ExtractLibrary()
    {
        var extracted = Path.Combine(package.WorkFolder, "inspect-references", "Marketplace.Chat.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(extracted)!);
        using var nupkg = ZipFile.OpenRead(package.PackagePath);
        nupkg.GetEntry(Lib + "Marketplace.Chat.dll")!.ExtractToFile(extracted, overwrite: true);
        return extracted;
    }

    private static HashSet<string> AssemblyReferences(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var reader = pe.GetMetadataReader();
        return reader.AssemblyReferences.Select(r => reader.GetString(reader.GetAssemblyReference(r).Name)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>What each package the consumer restored brings (compile and runtime assemblies, by name), from its assets file.</summary>
    private static Dictionary<string, HashSet<string>> PackageAssemblies(string assetsPath)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(assetsPath));
        var target = assets.RootElement.GetProperty("targets").EnumerateObject().Single(t => t.Name == "net10.0").Value;
        var byPackage = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var library in target.EnumerateObject())
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var section in new[] { "compile", "runtime" })
            {
                if (library.Value.TryGetProperty(section, out var files))
                {
                    names.UnionWith(files.EnumerateObject()
                        .Select(f => Path.GetFileName(f.Name))
                        .Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                        .Select(Path.GetFileNameWithoutExtension)!);
                }
            }

            byPackage[library.Name.Split('/')[0]] = names;
        }

        return byPackage;
    }

    /// <summary>The packages that the given ones depend on, directly or not, from the consumer's assets file.</summary>
    private static HashSet<string> TransitiveDependencies(string assetsPath, IEnumerable<string> roots)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(assetsPath));
        var target = assets.RootElement.GetProperty("targets").EnumerateObject().Single(t => t.Name == "net10.0").Value;
        var edges = target.EnumerateObject().ToDictionary(
            l => l.Name.Split('/')[0],
            l => l.Value.TryGetProperty("dependencies", out var d) ? d.EnumerateObject().Select(p => p.Name).ToList() : [],
            StringComparer.OrdinalIgnoreCase);
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>(roots.SelectMany(r => edges.TryGetValue(r, out var next) ? next : []));
        while (pending.TryPop(out var id))
        {
            if (found.Add(id) && edges.TryGetValue(id, out var next))
            {
                next.ForEach(pending.Push);
            }
        }

        return found;
    }

    /// <summary>The assemblies of Microsoft.NETCore.App and Microsoft.AspNetCore.App (the package's framework reference).</summary>
    private static HashSet<string> SharedFrameworkAssemblies()
    {
        var shared = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", ".."));
        return new[] { "Microsoft.NETCore.App", "Microsoft.AspNetCore.App" }
            .Select(framework => Path.Combine(shared, framework))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.dll", SearchOption.AllDirectories))
            .Select(Path.GetFileNameWithoutExtension)
            .ToHashSet(StringComparer.Ordinal)!;
    }

    private Dictionary<string, string?> CentralPackageVersions() =>
        XDocument.Load(Path.Combine(package.RepositoryRoot, "Directory.Packages.props"))
            .Descendants().Where(e => e.Name.LocalName == "PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string?)e.Attribute("Version"), StringComparer.Ordinal);
}

using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Marketplace.Chat.PackageTests.Infrastructure;
using Xunit.Abstractions;

namespace Marketplace.Chat.PackageTests;

/// <summary>
/// The NuGet package, as a separate host receives it: what the .nupkg/.snupkg carry, what the nuspec declares, and
/// that a brand-new web project outside the repository restores it, builds against the README's API and starts.
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
        using var pdb = snupkg.GetEntry(Lib + "Marketplace.Chat.pdb")!.Open();
        var signature = new byte[4];
        pdb.ReadExactly(signature);
        Assert.True("BSJB"u8.SequenceEqual(signature), "Marketplace.Chat.pdb in the .snupkg is not a portable PDB.");
    }

    [Fact]
    public void Declare_its_dependencies_and_the_aspnetcore_framework_reference()
    {
        package.RequirePackages();

        using var nupkg = ZipFile.OpenRead(package.PackagePath);
        var metadata = Metadata(nupkg);
        Assert.Equal("Marketplace.Chat", Child(metadata, "id")?.Value);
        Assert.Equal(package.Version, Child(metadata, "version")?.Value);

        var dependencies = Group(metadata, "dependencies")
            .Elements().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string?)e.Attribute("version"), StringComparer.Ordinal);
        var central = CentralPackageVersions();
        // The attachment inspection's libraries; MetadataExtractor (unused) and the prerelease Mime-Detective are gone.
        Assert.DoesNotContain("Mime-Detective", dependencies.Keys);
        Assert.DoesNotContain("MetadataExtractor", dependencies.Keys);
        foreach (var id in new[] { "Microsoft.EntityFrameworkCore.Relational", "SixLabors.ImageSharp", "PdfPig" })
        {
            Assert.True(dependencies.TryGetValue(id, out var version),
                $"The nuspec does not declare a net10.0 dependency on {id}; it declares [{string.Join(", ", dependencies.Keys)}].");
            Assert.True(central.TryGetValue(id, out var expected), $"Directory.Packages.props has no PackageVersion for {id}.");
            Assert.True(expected == version, $"The nuspec asks for {id} {version}, Directory.Packages.props pins {expected}.");
        }

        var frameworks = Group(metadata, "frameworkReferences")
            .Elements().Where(e => e.Name.LocalName == "frameworkReference")
            .Select(e => (string?)e.Attribute("name"))
            .ToList();
        Assert.Contains("Microsoft.AspNetCore.App", frameworks);
    }

    [Fact]
    public async Task Restore_into_a_separate_host_and_build()
    {
        var consumer = await package.BuildConsumerAsync();
        output.WriteLine($"pack: {package.Pack?.Elapsed.TotalSeconds:F1} s, consumer restore + build: {consumer.Build.Elapsed.TotalSeconds:F1} s");

        Assert.True(consumer.Build.Succeeded, "The consumer host did not build against the package. " + consumer.Build.Describe());
        Assert.Contains($"Marketplace.Chat/{package.Version}", consumer.ResolvedLibraries);
        foreach (var assembly in new[] { "Marketplace.Chat.dll", "SixLabors.ImageSharp.dll", "UglyToad.PdfPig.dll" })
        {
            Assert.True(File.Exists(Path.Combine(consumer.OutputFolder, assembly)),
                $"{assembly} is not in the consumer's output {consumer.OutputFolder}.");
        }
    }

    [Fact]
    public async Task Start_a_separate_host_wired_as_the_readme_shows()
    {
        var consumer = await package.BuildConsumerAsync();
        Assert.True(consumer.Build.Succeeded, "The consumer host did not build, so it cannot start. " + consumer.Build.Describe());

        var run = await DotnetCommand.RunAsync(consumer.OutputFolder, [consumer.AssemblyPath, "--smoke"], TimeSpan.FromMinutes(2),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
            });
        output.WriteLine($"consumer start and stop: {run.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.Output);

        Assert.True(run.Succeeded, "The consumer host did not start and stop cleanly. " + run.Describe());
        Assert.Contains("smoke: started and stopped", run.Output, StringComparison.Ordinal);
        Assert.Contains("table chat.chat_", run.Output, StringComparison.Ordinal);
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

    private Dictionary<string, string?> CentralPackageVersions() =>
        XDocument.Load(Path.Combine(package.RepositoryRoot, "Directory.Packages.props"))
            .Descendants().Where(e => e.Name.LocalName == "PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string?)e.Attribute("Version"), StringComparer.Ordinal);
}

using System.Xml.Linq;

namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>
/// Packs src/Marketplace.Chat once for the test class, at the package's real version (Directory.Build.props) as a CI
/// build (warnings are errors, paths mapped), into a temporary folder; builds the consumer host on first request (with a
/// global packages folder of its own, so no copy of that version in the machine's cache can be served instead); removes
/// it all after.
/// </summary>
/// <remarks>
/// The pack builds into its own artifacts folder (<c>--artifacts-path</c>), so it neither reads nor overwrites the
/// repository's bin/obj folders, which a concurrent <c>dotnet test Marketplace.Chat.sln</c> is using.
/// </remarks>
public sealed class PackedLibrary : IAsyncLifetime
{
    private readonly Lazy<Task<ConsumerHost>> _consumer;

    public PackedLibrary() => _consumer = new Lazy<Task<ConsumerHost>>(() => ConsumerHost.CreateAndBuildAsync(this));

    /// <summary>Gets the version the package ships with: the library's &lt;Version&gt; in Directory.Build.props.</summary>
    public string Version { get; private set; } = "";

    public string RepositoryRoot { get; private set; } = "";

    /// <summary>The temporary folder holding everything these tests write.</summary>
    public string WorkFolder { get; private set; } = "";

    public string PackagesFolder => Path.Combine(WorkFolder, "packages");

    /// <summary>Gets the consumer's own global packages folder, where its restore extracts the packed Marketplace.Chat.</summary>
    public string ConsumerPackagesFolder => Path.Combine(WorkFolder, "consumer-packages");

    public string PackagePath => Path.Combine(PackagesFolder, $"Marketplace.Chat.{Version}.nupkg");

    public string SymbolsPackagePath => Path.Combine(PackagesFolder, $"Marketplace.Chat.{Version}.snupkg");

    public CommandResult? Pack { get; private set; }

    /// <summary>Why packing failed (the command's output, or its timeout), or null when it succeeded.</summary>
    public string? PackFailure { get; private set; }

    public async Task InitializeAsync()
    {
        RepositoryRoot = TemporaryFolder.FindRepositoryRoot();
        Version = ReadPackageVersion(RepositoryRoot);
        WorkFolder = TemporaryFolder.Create("marketplace-chat-package-tests");
        try
        {
            // What the README's "Building the package" runs, plus CI's ContinuousIntegrationBuild (deterministic, mapped paths).
            Pack = await DotnetCommand.RunAsync(RepositoryRoot,
            [
                "pack", Path.Combine("src", "Marketplace.Chat", "Marketplace.Chat.csproj"),
                "-c", "Release",
                "-o", PackagesFolder,
                "--artifacts-path", Path.Combine(WorkFolder, "artifacts"),
                "-p:ContinuousIntegrationBuild=true",
                "-nodeReuse:false",
            ]);
            PackFailure = Pack.Succeeded ? null : Pack.Describe();
        }
        catch (TimeoutException timeout)
        {
            PackFailure = timeout.Message;
        }
    }

    /// <summary>Fails the calling test, with the pack's output, unless the .nupkg and .snupkg were produced.</summary>
    public void RequirePackages()
    {
        Assert.True(PackFailure is null, "Packing src/Marketplace.Chat failed: " + PackFailure);
        foreach (var path in new[] { PackagePath, SymbolsPackagePath })
        {
            Assert.True(File.Exists(path),
                $"dotnet pack succeeded but did not write {Path.GetFileName(path)}; {PackagesFolder} holds ["
                + string.Join(", ", Directory.Exists(PackagesFolder) ? Directory.GetFiles(PackagesFolder).Select(Path.GetFileName) : [])
                + "]. " + Pack!.Describe());
        }
    }

    /// <summary>The consumer host, written and built on the first call and shared afterwards.</summary>
    public Task<ConsumerHost> BuildConsumerAsync()
    {
        RequirePackages();
        return _consumer.Value;
    }

    public Task DisposeAsync()
    {
        // The consumer's global packages folder is inside the work folder: nothing of this run stays in the machine's cache.
        TemporaryFolder.Delete(WorkFolder);
        return Task.CompletedTask;
    }

    private static string ReadPackageVersion(string repositoryRoot)
    {
        var props = XDocument.Load(Path.Combine(repositoryRoot, "Directory.Build.props"));
        var library = props.Root!.Elements("PropertyGroup")
            .Single(g => ((string?)g.Attribute("Condition"))?.Contains("'Marketplace.Chat'", StringComparison.Ordinal) == true);
        return library.Element("Version")?.Value
            ?? throw new InvalidOperationException("Directory.Build.props sets no <Version> for Marketplace.Chat.");
    }
}

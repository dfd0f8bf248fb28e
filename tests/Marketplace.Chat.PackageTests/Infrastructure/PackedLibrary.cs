namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>
/// Packs src/Marketplace.Chat once for the test class, with a version no earlier run used (so no NuGet cache can
/// serve a stale copy), into a temporary folder; builds the consumer host on first request; removes it all after.
/// </summary>
/// <remarks>
/// The pack builds into its own artifacts folder (<c>--artifacts-path</c>), so it neither reads nor overwrites the
/// repository's bin/obj folders, which a concurrent <c>dotnet test Marketplace.Chat.sln</c> is using.
/// </remarks>
public sealed class PackedLibrary : IAsyncLifetime
{
    private readonly Lazy<Task<ConsumerHost>> consumer;

    public PackedLibrary() => consumer = new Lazy<Task<ConsumerHost>>(() => ConsumerHost.CreateAndBuildAsync(this));

    /// <summary>A unique prerelease version: 0.0.0-test.r&lt;12 hex digits&gt;.</summary>
    public string Version { get; } = "0.0.0-test.r" + Guid.NewGuid().ToString("N")[..12];

    public string RepositoryRoot { get; private set; } = "";

    /// <summary>The temporary folder holding everything these tests write.</summary>
    public string WorkFolder { get; private set; } = "";

    public string PackagesFolder => Path.Combine(WorkFolder, "packages");

    public string PackagePath => Path.Combine(PackagesFolder, $"Marketplace.Chat.{Version}.nupkg");

    public string SymbolsPackagePath => Path.Combine(PackagesFolder, $"Marketplace.Chat.{Version}.snupkg");

    public CommandResult? Pack { get; private set; }

    /// <summary>Why packing failed (the command's output, or its timeout), or null when it succeeded.</summary>
    public string? PackFailure { get; private set; }

    public async Task InitializeAsync()
    {
        RepositoryRoot = TemporaryFolder.FindRepositoryRoot();
        WorkFolder = TemporaryFolder.Create("marketplace-chat-package-tests");
        try
        {
            Pack = await DotnetCommand.RunAsync(RepositoryRoot,
            [
                "pack", Path.Combine("src", "Marketplace.Chat", "Marketplace.Chat.csproj"),
                "-c", "Release",
                "-o", PackagesFolder,
                "--artifacts-path", Path.Combine(WorkFolder, "artifacts"),
                $"-p:Version={Version}",
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
        return consumer.Value;
    }

    public Task DisposeAsync()
    {
        // The uniquely versioned copy that the consumer's restore extracted into the global packages folder is ours too.
        if (consumer.IsValueCreated && consumer.Value.IsCompletedSuccessfully
            && consumer.Value.Result.GlobalPackagesFolder is { } globalPackages)
        {
            TemporaryFolder.Delete(Path.Combine(globalPackages, "marketplace.chat", Version.ToLowerInvariant()));
        }

        TemporaryFolder.Delete(WorkFolder);
        return Task.CompletedTask;
    }
}

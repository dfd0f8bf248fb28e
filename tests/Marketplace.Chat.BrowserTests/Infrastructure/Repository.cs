using System.Reflection;

namespace Marketplace.Chat.BrowserTests.Infrastructure;

/// <summary>Finds the repository's folders from the test's output folder.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string SampleProject => Path.Combine(Root, "src", "Marketplace.Chat.Sample");

    public static string Screenshots => Path.Combine(Root, "artifacts", "screenshots");

    private static string FindRoot()
    {
        var built = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (built is not null && File.Exists(Path.Combine(built, "Marketplace.Chat.sln")))
        {
            return Path.GetFullPath(built);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Marketplace.Chat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Marketplace.Chat.sln not found above {AppContext.BaseDirectory}.");
    }
}

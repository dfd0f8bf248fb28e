namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>Paths these tests use and remove: the repository root and best-effort deletion of temporary folders.</summary>
public static class TemporaryFolder
{
    /// <summary>The folder holding Marketplace.Chat.sln, found by walking up from the test assembly.</summary>
    public static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Marketplace.Chat.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Marketplace.Chat.sln in {AppContext.BaseDirectory} or any folder above it; the package tests run inside the repository.");
    }

    /// <summary>A new, empty folder under the system's temporary folder (outside the repository).</summary>
    public static string Create(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Deletes a folder and everything in it, once; what a lingering child process still holds stays behind in the
    /// system's temp folder (it is only temporary), rather than a blind sleep-and-retry.
    /// </summary>
    public static void Delete(string? path)
    {
        if (string.IsNullOrEmpty(path) || !Directory.Exists(path))
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Left temporary folder {path} behind: {ex.Message}");
        }
    }
}

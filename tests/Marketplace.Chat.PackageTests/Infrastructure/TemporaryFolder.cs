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

    /// <summary>Deletes a folder and everything in it; a few retries, then gives up quietly (it is only temporary).</summary>
    public static void Delete(string? path)
    {
        for (var attempt = 0; attempt < 3 && !string.IsNullOrEmpty(path) && Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(200);
            }
        }
    }
}

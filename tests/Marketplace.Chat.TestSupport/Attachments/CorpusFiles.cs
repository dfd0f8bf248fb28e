using System.Runtime.CompilerServices;

namespace Marketplace.Chat.TestSupport.Attachments;

/// <summary>Finds the corpus copied into the test project and reads its MANIFEST.tsv.</summary>
public static class CorpusFiles
{
    private static readonly Lazy<string> CorpusDirectory = new(() => FindCorpusDirectory());
    private static readonly Lazy<IReadOnlyList<ManifestRow>> Rows = new(ReadManifest);

    public static string Directory => CorpusDirectory.Value;

    /// <summary>Gets the dimensions of every corpus image that should be accepted, read off the files by hand.</summary>
    public static IReadOnlyDictionary<string, (int Width, int Height)> ImageSizes { get; } = new Dictionary<string, (int Width, int Height)>
    {
        ["photo_wine.jpg"] = (2560, 3837),
        ["photo_bali_small.jpg"] = (158, 107),
        ["diagram.png"] = (556, 376),
        ["icon.webp"] = (512, 512),
        ["cat.gif"] = (113, 146),
        ["photo_gps.jpg"] = (2056, 3088),
        ["xmp_comment.jpg"] = (128, 128),
        ["png_exif_gps.png"] = (914, 508),
        ["webp_exif.webp"] = (1024, 682),
    };

    public static IReadOnlyList<ManifestRow> Manifest => Rows.Value;

    public static ManifestRow Row(string file) => Manifest.Single(row => row.File == file);

    public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    private static string FindCorpusDirectory([CallerFilePath] string sourceFile = "")
    {
        // The build output is usually inside the repository; with --artifacts-path it is not, and this file's own
        // compile-time path still points into it.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var directory = start.Length == 0 ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Marketplace.Chat.sln")))
                {
                    return Path.Combine(directory.FullName, "tests", "Marketplace.Chat.Tests", "Corpus");
                }
            }
        }

        throw new InvalidOperationException($"Marketplace.Chat.sln was not found above {AppContext.BaseDirectory}.");
    }

    private static List<ManifestRow> ReadManifest()
    {
        var lines = File.ReadAllLines(Path.Combine(Directory, "MANIFEST.tsv"));
        var header = lines[0].Split('\t');
        Assert.Equal(["file", "true_type", "category", "expected", "reason", "provenance"], header);
        return lines.Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(cells => new ManifestRow(cells[0], cells[1], cells[2], cells[3]))
            .ToList();
    }
}

/// <summary>One row of the corpus manifest.</summary>
public sealed record ManifestRow(string File, string TrueType, string Category, string Expected);

using System.Runtime.CompilerServices;

namespace Marketplace.Chat.IntegrationTests.Attachments;

/// <summary>
/// The shared corpus, read in place from the unit test project (tests/Marketplace.Chat.Tests/Corpus) with its
/// MANIFEST.tsv: file, true type, category, expected verdict (accept, accept-stripped, reject).
/// </summary>
internal static class Corpus
{
    private static readonly Lazy<string> Folder = new(() => FindFolder());
    private static readonly Lazy<IReadOnlyList<CorpusRow>> Rows = new(ReadManifest);

    public static string Directory => Folder.Value;

    public static IReadOnlyList<CorpusRow> Manifest => Rows.Value;

    public static CorpusRow Row(string file) => Manifest.Single(row => row.File == file);

    public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    private static string FindFolder([CallerFilePath] string sourceFile = "")
    {
        // Build output normally sits inside the repository; with --artifacts-path it does not, and this file's
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

    private static List<CorpusRow> ReadManifest()
    {
        var lines = File.ReadAllLines(Path.Combine(Directory, "MANIFEST.tsv"));
        Assert.Equal(["file", "true_type", "category", "expected", "reason", "provenance"], lines[0].Split('\t'));
        return lines.Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(cells => new CorpusRow(cells[0], cells[1], cells[2], cells[3]))
            .ToList();
    }
}

/// <summary>One row of the corpus manifest.</summary>
internal sealed record CorpusRow(string File, string TrueType, string Category, string Expected);

using System.Text.RegularExpressions;

namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>
/// The code of the README's "Integrating it" section, taken from README.md as it is: the Program.cs lines, the
/// OnModelCreating line(s) and the lifecycle calls from the shop's code, and the first command block of its "Migrations"
/// part (each command split at <c>&amp;&amp;</c>, comments dropped). The consumer host is built and migrated with these
/// verbatim, so a README that drifts from the package's API or from the tools fails the package tests.
/// </summary>
public sealed partial record ReadmeIntegration(string ProgramLines, string ModelLines, string LifecycleLines, IReadOnlyList<string> MigrationCommands)
{
    private const string MigrationsSection = "### Migrations";
    private const string Section = "## Integrating it";
    private const string ProgramMarker = "// Program.cs";
    private const string ModelMarker = "// ShopDbContext.OnModelCreating";
    private const string LifecycleMarker = "// Your payment webhook, order and dispute code";

    public static ReadmeIntegration Read(string repositoryRoot)
    {
        var readme = File.ReadAllText(Path.Combine(repositoryRoot, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("\n" + Section + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"README.md has no '{Section}' section.");
        }

        var block = FirstCSharpBlock().Match(readme, start);
        if (!block.Success)
        {
            throw new InvalidOperationException($"README.md's '{Section}' section has no ```csharp block.");
        }

        var code = block.Groups["code"].Value;
        return new ReadmeIntegration(
            Part(code, ProgramMarker, ModelMarker),
            Part(code, ModelMarker, LifecycleMarker),
            Part(code, LifecycleMarker, null),
            Commands(readme, start));
    }

    private static List<string> Commands(string readme, int sectionStart)
    {
        var start = readme.IndexOf("\n" + MigrationsSection + "\n", sectionStart, StringComparison.Ordinal);
        var block = start < 0 ? Match.Empty : FirstBashBlock().Match(readme, start);
        if (!block.Success)
        {
            throw new InvalidOperationException($"README.md has no ```bash block under '{MigrationsSection}' after '{Section}'.");
        }

        return block.Groups["code"].Value.Split('\n')
            .Select(line => line.Split('#')[0])
            .SelectMany(line => line.Split("&&"))
            .Select(command => command.Trim())
            .Where(command => command.Length > 0)
            .ToList();
    }

    private static string Part(string code, string marker, string? nextMarker)
    {
        var from = code.IndexOf(marker, StringComparison.Ordinal);
        if (from < 0)
        {
            throw new InvalidOperationException(
                $"README.md's integration snippet lacks the line starting with '{marker}', which the package test builds the consumer host from.");
        }

        from = code.IndexOf('\n', from) + 1;
        var to = nextMarker is null ? code.Length : code.IndexOf(nextMarker, from, StringComparison.Ordinal);
        if (to < 0)
        {
            throw new InvalidOperationException($"README.md's integration snippet lacks '{nextMarker}' after '{marker}'.");
        }

        var part = code[from..to].Trim('\n');
        if (part.Trim().Length == 0)
        {
            throw new InvalidOperationException($"README.md's integration snippet has no code under '{marker}'.");
        }

        return part;
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstCSharpBlock();

    [GeneratedRegex("```bash\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstBashBlock();
}

using System.Text.RegularExpressions;

namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>
/// The code of the README's "Integrating it" section, taken from README.md as it is, in its three parts: the Program.cs
/// lines, the OnModelCreating line(s), and the lifecycle calls from the shop's code. The consumer host is built around
/// these lines verbatim, so a README that drifts from the package's API fails the package tests.
/// </summary>
public sealed partial record ReadmeIntegration(string ProgramLines, string ModelLines, string LifecycleLines)
{
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
            Part(code, LifecycleMarker, null));
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
}

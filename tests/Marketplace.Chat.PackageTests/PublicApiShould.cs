using Marketplace.Chat.PackageTests.Infrastructure;
using Xunit.Abstractions;

namespace Marketplace.Chat.PackageTests;

/// <summary>
/// The library's public API is declared in PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt: a public symbol that neither
/// lists fails the build. Proven by building src/Marketplace.Chat with one extra public type that no file lists.
/// </summary>
public sealed class PublicApiShould(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = TemporaryFolder.Create("marketplace-chat-public-api");

    [Fact]
    public async Task Fail_the_build_when_a_public_api_has_no_unshipped_line()
    {
        var root = TemporaryFolder.FindRepositoryRoot();
        var probe = Path.Combine(_work, "PublicApiProbe.cs");
        await File.WriteAllTextAsync(probe, """
            namespace Marketplace.Chat;

            /// <summary>A public type that no PublicAPI file lists.</summary>
            public static class PublicApiProbe
            {
                /// <summary>Gets an answer.</summary>
                public static int Answer => 42;
            }

            """);
        // MSBuild's extension point adds the file to the library's compilation without touching the repository.
        var targets = Path.Combine(_work, "probe.targets");
        await File.WriteAllTextAsync(targets, $"""
            <Project>
              <ItemGroup>
                <Compile Include="{probe}" />
              </ItemGroup>
            </Project>

            """);

        var build = await DotnetCommand.RunAsync(root,
        [
            "build", Path.Combine("src", "Marketplace.Chat", "Marketplace.Chat.csproj"),
            "-c", "Release",
            "--artifacts-path", Path.Combine(_work, "artifacts"),
            $"-p:CustomAfterMicrosoftCommonTargets={targets}",
            "-nodeReuse:false",
        ]);
        output.WriteLine(build.Output);

        Assert.False(build.Succeeded, "The library built with a public type that PublicAPI.Unshipped.txt does not list.");
        var apiErrors = build.Output.Split('\n').Where(l => l.Contains("error RS00", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Contains(apiErrors, l => l.Contains("RS0016", StringComparison.Ordinal) && l.Contains("'Marketplace.Chat.PublicApiProbe'", StringComparison.Ordinal));
        Assert.Contains(apiErrors, l => l.Contains("static Marketplace.Chat.PublicApiProbe.Answer.get -> int", StringComparison.Ordinal));

        // Only the probe: every other public symbol is declared, and every declared one still exists.
        Assert.All(apiErrors, l => Assert.Contains("PublicApiProbe", l, StringComparison.Ordinal));
    }

    public void Dispose() => TemporaryFolder.Delete(_work);
}

using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;

namespace Marketplace.Chat.Tests.Documentation;

public class ReadmeShould
{
    [Theory]
    [InlineData(ConversationKind.Transaction)]
    [InlineData(ConversationKind.Dispute)]
    public void Show_the_lifecycle_diagram_generated_from_the_transition_table(ConversationKind kind)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var block = "```mermaid\n" + ChatLifecycleMachine.ToMermaid(kind) + "```";

        Assert.True(
            readme.Contains(block, StringComparison.Ordinal),
            $"README.md is out of date: replace the {kind} lifecycle diagram with:\n{block}");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Marketplace.Chat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Marketplace.Chat.sln not found above " + AppContext.BaseDirectory);
    }
}

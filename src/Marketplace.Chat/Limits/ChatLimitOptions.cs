namespace Marketplace.Chat.Limits;

/// <summary>
/// Per-user budgets for every hub method and endpoint, and the connection caps. One allowance per user: per node
/// without Redis, across all nodes (and restarts) with <c>AddRedis</c>.
/// </summary>
public sealed class ChatLimitOptions
{
    /// <summary>Gets the budget of <c>Send</c> and <c>SendAttachment</c>. Defaults to 5 per second, bursts of 20.</summary>
    public ChatBudgetRule Sends { get; } = new(5, 20);

    /// <summary>Gets the budget of <c>Edit</c> and <c>Delete</c> together. Defaults to 1 per second, bursts of 10.</summary>
    public ChatBudgetRule Edits { get; } = new(1, 10);

    /// <summary>Gets the budget of <c>Typing</c> calls (relayed or not). Defaults to 3 per second, bursts of 10.</summary>
    public ChatBudgetRule Typing { get; } = new(3, 10);

    /// <summary>Gets the budget of <c>MarkRead</c>. Defaults to 5 per second, bursts of 30.</summary>
    public ChatBudgetRule Reads { get; } = new(5, 30);

    /// <summary>Gets the budget of <c>Join</c> (both hubs). Defaults to 2 per second, bursts of 30.</summary>
    public ChatBudgetRule Joins { get; } = new(2, 30);

    /// <summary>Gets the budget of <c>History</c> pages. Defaults to 5 per second, bursts of 30.</summary>
    public ChatBudgetRule History { get; } = new(5, 30);

    /// <summary>Gets the budget of the inbox and chat-list endpoints together. Defaults to 5 per second, bursts of 30.</summary>
    public ChatBudgetRule Notifications { get; } = new(5, 30);

    /// <summary>Gets the budget of attachment uploads. Defaults to 1 per second, bursts of 10.</summary>
    public ChatBudgetRule Uploads { get; } = new(1, 10);

    /// <summary>Gets the budget of attachment downloads (a chat page shows its images at once). Defaults to 20 per second, bursts of 200.</summary>
    public ChatBudgetRule Downloads { get; } = new(20, 200);

    /// <summary>Gets or sets how many chat connections (both hubs, all nodes) one user may hold open. Defaults to 20.</summary>
    public int MaxConnectionsPerUser { get; set; } = 20;

    /// <summary>Gets or sets how many conversations one connection may have joined at once. Defaults to 100.</summary>
    public int MaxJoinsPerConnection { get; set; } = 100;

    /// <summary>Gets the rule of a budget.</summary>
    public ChatBudgetRule RuleOf(ChatBudget budget) => budget switch
    {
        ChatBudget.Send => Sends,
        ChatBudget.Edit => Edits,
        ChatBudget.Typing => Typing,
        ChatBudget.Read => Reads,
        ChatBudget.Join => Joins,
        ChatBudget.History => History,
        ChatBudget.Notifications => Notifications,
        ChatBudget.Upload => Uploads,
        ChatBudget.Download => Downloads,
        _ => throw new ArgumentOutOfRangeException(nameof(budget), budget, "Unknown budget."),
    };
}

namespace Marketplace.Chat.Limits;

/// <summary>Where the budgets' token buckets live: this process, or Redis for one allowance across nodes.</summary>
internal interface IChatBudgetStore
{
    /// <summary>Takes <paramref name="cost"/> tokens from the user's bucket of <paramref name="budget"/>; when too few are left, takes none and says how long until they are back.</summary>
    ValueTask<BudgetAnswer> TakeAsync(ChatBudget budget, string userId, ChatBudgetRule rule, int cost, CancellationToken cancellationToken);

    /// <summary>Gives back one token taken for a call that turned out to cost nothing (a retry of a stored message).</summary>
    ValueTask RefundAsync(ChatBudget budget, string userId, ChatBudgetRule rule);
}

/// <summary>A bucket's answer.</summary>
/// <param name="Granted">Whether a token was taken.</param>
/// <param name="RetryAfter">When refused, how long until a token is back.</param>
internal readonly record struct BudgetAnswer(bool Granted, TimeSpan RetryAfter);

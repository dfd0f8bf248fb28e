using Marketplace.Chat.Diagnostics;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Limits;

/// <summary>
/// The per-user budgets every hub method and HTTP endpoint draws from (uploads included: call
/// <see cref="AcquireAsync(ChatBudget, string, CancellationToken)"/> with <see cref="ChatBudget.Upload"/>). A refusal is cheap: a <see cref="ChatErrorCode.RateLimited"/>
/// refusal saying when to retry, nothing logged above Debug.
/// </summary>
internal sealed class ChatBudgets(IChatBudgetStore store, IOptions<ChatOptions> options, ChatMetrics metrics)
{
    /// <summary>Takes one call from the user's budget, or throws <see cref="ChatErrorCode.RateLimited"/>.</summary>
    public ValueTask AcquireAsync(ChatBudget budget, string userId, CancellationToken cancellationToken = default) =>
        AcquireAsync(budget, userId, 1, cancellationToken);

    /// <summary>
    /// Takes <paramref name="cost"/> units from the user's budget (work that costs more than a call, e.g. inspecting an
    /// upload that is then rejected; a cost above the rule's burst can never be granted), or throws <see cref="ChatErrorCode.RateLimited"/>.
    /// </summary>
    public async ValueTask AcquireAsync(ChatBudget budget, string userId, int cost, CancellationToken cancellationToken = default)
    {
        var answer = await TryAcquireAsync(budget, userId, cost, cancellationToken).ConfigureAwait(false);
        if (!answer.Granted)
        {
            throw Refuse(budget, answer.RetryAfter);
        }
    }

    /// <summary>Takes one call from the user's budget and says whether it was granted (and if not, when to retry); refuses nothing itself.</summary>
    public ValueTask<BudgetAnswer> TryAcquireAsync(ChatBudget budget, string userId, CancellationToken cancellationToken = default) =>
        TryAcquireAsync(budget, userId, 1, cancellationToken);

    /// <summary>Takes <paramref name="cost"/> units from the user's budget and says whether they were granted; refuses nothing itself.</summary>
    public ValueTask<BudgetAnswer> TryAcquireAsync(ChatBudget budget, string userId, int cost, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        return store.TakeAsync(budget, userId, options.Value.Limits.RuleOf(budget), cost, cancellationToken);
    }

    /// <summary>Counts a refusal by an empty budget and builds it.</summary>
    public ChatException Refuse(ChatBudget budget, TimeSpan retryAfter)
    {
        metrics.BudgetRefused(budget);
        return Refusal(budget, retryAfter);
    }

    /// <summary>Gives back a call that turned out to cost nothing (a retry answered with the stored message).</summary>
    public ValueTask RefundAsync(ChatBudget budget, string userId) => store.RefundAsync(budget, userId, options.Value.Limits.RuleOf(budget));

    /// <summary>Builds the refusal for an empty budget.</summary>
    private static ChatException Refusal(ChatBudget budget, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        var what = budget switch
        {
            ChatBudget.Send => "sending messages",
            ChatBudget.Edit => "editing or deleting messages",
            ChatBudget.Typing => "sending typing notices",
            ChatBudget.Read => "marking messages read",
            ChatBudget.Join => "opening conversations",
            ChatBudget.History => "loading history",
            ChatBudget.Notifications => "loading notifications",
            ChatBudget.Upload => "uploading files",
            ChatBudget.Download => "downloading files",
            _ => "calling the chat",
        };
        return new ChatException(ChatErrorCode.RateLimited, $"You are {what} too fast; try again in {seconds} s.");
    }
}

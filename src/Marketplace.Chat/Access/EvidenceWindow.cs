using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Access;

/// <summary>
/// Decides whether administrators may read a transaction chat as evidence (DESIGN §3): while one of its disputes is open
/// (the chat is frozen, or a dispute is not resolved) and for <see cref="ChatOptions.AdminEvidenceAccessAfterResolution"/>
/// after the last resolution. A chat that was never disputed is never theirs. Parties' access never depends on this.
/// </summary>
internal static class EvidenceWindow
{
    private static readonly string Resolved = nameof(ChatTrigger.DisputeResolved);

    /// <summary>Gets the "disputed" fact the access policy takes for this caller; only an administrator on a disputed transaction chat costs a query.</summary>
    public static async Task<bool> IsOpenAsync(
        ChatStore store, ChatOptions options, ConversationRecord conversation, ChatRelation relation, CancellationToken ct)
    {
        if (conversation.Kind != ConversationKind.Transaction || relation != ChatRelation.Admin || !conversation.HasDispute)
        {
            return conversation.HasDispute;
        }

        if (conversation.State == ChatState.Frozen)
        {
            return true;
        }

        var disputes = store.Conversations.AsNoTracking().Where(d => d.TransactionConversationId == conversation.Id);
        var latest = await disputes
            .Select(d => new
            {
                Open = d.State != ChatState.Resolved,
                ResolvedAt = store.Transitions.Where(t => t.ConversationId == d.Id && t.Trigger == Resolved).Max(t => (DateTimeOffset?)t.OccurredAt),
            })
            .ToListAsync(ct).ConfigureAwait(false);
        if (latest.Exists(d => d.Open))
        {
            return true;
        }

        var resolvedAt = latest.Max(d => d.ResolvedAt);
        return resolvedAt is { } at && store.Now() - at < options.AdminEvidenceAccessAfterResolution;
    }
}

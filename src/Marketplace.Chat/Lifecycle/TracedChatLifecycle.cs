using System.Diagnostics;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Diagnostics;

namespace Marketplace.Chat.Lifecycle;

/// <summary>Records one activity per lifecycle call (the host's payment and dispute events) around the lifecycle service.</summary>
internal sealed class TracedChatLifecycle(ChatLifecycleService inner) : IChatLifecycle
{
    public Task<LifecycleResult> RegisterTransactionAsync(
        string transactionId, TransactionParties? parties = null, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("RegisterTransaction", transactionId, null, () => inner.RegisterTransactionAsync(transactionId, parties, context, cancellationToken));

    public Task<LifecycleResult> ConfirmPaymentAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("ConfirmPayment", transactionId, null, () => inner.ConfirmPaymentAsync(transactionId, context, cancellationToken));

    public Task<LifecycleResult> CompleteAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("Complete", transactionId, null, () => inner.CompleteAsync(transactionId, context, cancellationToken));

    public Task<LifecycleResult> CancelAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("Cancel", transactionId, null, () => inner.CancelAsync(transactionId, context, cancellationToken));

    public Task<LifecycleResult> RefundAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("Refund", transactionId, null, () => inner.RefundAsync(transactionId, context, cancellationToken));

    public Task<LifecycleResult> OpenDisputeAsync(
        string transactionId, string disputeId, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("OpenDispute", transactionId, disputeId, () => inner.OpenDisputeAsync(transactionId, disputeId, context, cancellationToken));

    public Task<LifecycleResult> ResolveDisputeAsync(
        string disputeId, DisputeOutcome outcome, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("ResolveDispute", null, disputeId, () => inner.ResolveDisputeAsync(disputeId, outcome, context, cancellationToken));

    public Task<LifecycleResult> ReopenDisputeAsync(string disputeId, ChatEventContext? context = null, CancellationToken cancellationToken = default) =>
        TraceAsync("ReopenDispute", null, disputeId, () => inner.ReopenDisputeAsync(disputeId, context, cancellationToken));

    public Task<Messages.ChatMessage> PostNoticeAsync(string transactionId, string eventId, ChatNotice notice, CancellationToken cancellationToken = default) =>
        TraceAsync("PostNotice", transactionId, null, () => inner.PostNoticeAsync(transactionId, eventId, notice, cancellationToken));

    public Task<Messages.ChatMessage> PostDisputeNoticeAsync(string disputeId, string eventId, ChatNotice notice, CancellationToken cancellationToken = default) =>
        TraceAsync("PostDisputeNotice", null, disputeId, () => inner.PostDisputeNoticeAsync(disputeId, eventId, notice, cancellationToken));

    private static async Task<T> TraceAsync<T>(string call, string? transactionId, string? disputeId, Func<Task<T>> work)
    {
        using var activity = ChatActivities.Source.StartActivity("ChatLifecycle/" + call, ActivityKind.Internal);
        if (activity is null)
        {
            return await work().ConfigureAwait(false);
        }

        activity.SetTag("marketplace.chat.transaction_id", transactionId);
        activity.SetTag("marketplace.chat.dispute_id", disputeId);
        try
        {
            var result = await work().ConfigureAwait(false);
            if (result is LifecycleResult lifecycle)
            {
                activity.SetTag("marketplace.chat.applied", lifecycle.Applied);
                activity.SetTag("marketplace.chat.state", lifecycle.Conversation.State.ToString());
            }

            return result;
        }
        catch (Exception ex)
        {
            ChatActivities.Fail(activity, ex);
            throw;
        }
    }
}

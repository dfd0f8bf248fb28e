using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Lifecycle;

/// <summary>
/// Moves conversations through their lifecycle. The host calls it from its payment and dispute code; every call is
/// safe to repeat, and a call that is not permitted in the current state throws a <see cref="ChatException"/> with
/// code <see cref="ChatErrorCode.TransitionRefused"/> and a readable reason.
/// </summary>
public interface IChatLifecycle
{
    /// <summary>Creates the transaction chat, locked until payment; returns the existing one when already registered.</summary>
    /// <param name="transactionId">The host's transaction id.</param>
    /// <param name="parties">The buyer and seller; when null the host's <see cref="ITransactionPartyResolver"/> is asked.</param>
    /// <param name="context">Who registered it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<LifecycleResult> RegisterTransactionAsync(
        string transactionId, TransactionParties? parties = null, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Unlocks the transaction chat: the payment is confirmed.</summary>
    Task<LifecycleResult> ConfirmPaymentAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Closes the transaction chat: the transaction is complete.</summary>
    Task<LifecycleResult> CompleteAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Closes the transaction chat: the transaction was cancelled (before or after payment).</summary>
    Task<LifecycleResult> CancelAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Closes the transaction chat: the payment was refunded.</summary>
    Task<LifecycleResult> RefundAsync(string transactionId, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Opens the dispute chat (buyer, seller, administrators) and freezes the transaction chat as evidence.</summary>
    Task<LifecycleResult> OpenDisputeAsync(
        string transactionId, string disputeId, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Resolves the dispute; the outcome closes or resumes the transaction chat.</summary>
    Task<LifecycleResult> ResolveDisputeAsync(
        string disputeId, DisputeOutcome outcome, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>Reopens a resolved dispute; a resumed transaction chat freezes again, a closed one stays closed.</summary>
    Task<LifecycleResult> ReopenDisputeAsync(string disputeId, ChatEventContext? context = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Posts the marketplace's own notice in a transaction chat (parcel shipped, refund issued...), in any state, even
    /// frozen or closed: it is chained in the log, pushed live and notified to both parties. A second call with the same
    /// <paramref name="eventId"/> returns the first notice and posts nothing.
    /// </summary>
    /// <param name="transactionId">The host's transaction id.</param>
    /// <param name="eventId">The host's id of the event the notice reports (e.g. the shipment's id); required.</param>
    /// <param name="notice">The code, text and optional parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Messages.ChatMessage> PostNoticeAsync(string transactionId, string eventId, ChatNotice notice, CancellationToken cancellationToken = default);

    /// <summary>Posts the marketplace's own notice in a dispute chat; like <see cref="PostNoticeAsync"/>, also to the administrators who joined.</summary>
    /// <param name="disputeId">The host's dispute id.</param>
    /// <param name="eventId">The host's id of the event the notice reports; required.</param>
    /// <param name="notice">The code, text and optional parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Messages.ChatMessage> PostDisputeNoticeAsync(string disputeId, string eventId, ChatNotice notice, CancellationToken cancellationToken = default);
}

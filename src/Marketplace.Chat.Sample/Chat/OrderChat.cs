using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Chat;

/// <summary>What became of a payment the provider reported.</summary>
public enum PaymentOutcome
{
    /// <summary>The order is paid and its chat unlocked (now, or by an earlier delivery of the same event).</summary>
    Paid,

    /// <summary>The order had been cancelled (or the chat refused the payment): the payment is recorded as refunded.</summary>
    Refunded,

    /// <summary>The order was already paid by another payment: this one is refunded.</summary>
    Duplicate,
}

/// <summary>What a payment delivery did.</summary>
/// <param name="Outcome">What became of the payment.</param>
/// <param name="OrderChanged">Whether this delivery changed the order row (false for a re-delivery).</param>
/// <param name="ChatChanged">Whether this delivery changed the chat (false for a re-delivery: the chat recognises the event id).</param>
public sealed record PaymentResult(PaymentOutcome Outcome, bool OrderChanged, bool ChatChanged);

/// <summary>
/// The shop's lifecycle calls: every place where the marketplace's order changes and the chat must follow. Each step is
/// written so the order row and the chat can never disagree:
/// <list type="number">
/// <item>The order row is changed by a guarded update (<c>WHERE status = expected</c>), and its row count decides who won a
/// race: the loser reads the row again and answers from it, and never calls the chat.</item>
/// <item>The winner then tells the chat. When the chat refuses (its state moved on), the chat's answer decides: the
/// order's change is undone (or, for a payment, reconciled as a refund) and the caller gets the chat's refusal.</item>
/// <item>Every chat call is idempotent, so a step that failed between the two writes is repaired by repeating it: a
/// re-delivered webhook or a second click finds the order already changed and only tells the chat again.</item>
/// </list>
/// </summary>
public sealed partial class OrderChat(SampleDbContext db, IChatLifecycle chat, TimeProvider clock, ILogger<OrderChat> logger)
{
    /// <summary>Creates the order's chat, locked until payment.</summary>
    public Task RegisterAsync(Order order, string actorId, CancellationToken ct) =>
        chat.RegisterTransactionAsync(order.Id, new TransactionParties(order.BuyerId, order.SellerId), new ChatEventContext(actorId), ct);

    /// <summary>Records a payment the provider confirmed (<c>payment.succeeded</c>) and unlocks the chat; safe to call again with the same event.</summary>
    public async Task<PaymentResult> PaymentSucceededAsync(string orderId, string eventId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var paid = await db.Orders.Where(o => o.Id == orderId && o.Status == OrderStatus.PendingPayment).ExecuteUpdateAsync(
            s => s.SetProperty(o => o.Status, OrderStatus.Paid).SetProperty(o => o.PaidAt, now).SetProperty(o => o.PaymentEventId, eventId),
            ct);
        if (paid == 0)
        {
            return await PaymentLostAsync(orderId, eventId, now, ct);
        }

        try
        {
            var confirmed = await chat.ConfirmPaymentAsync(orderId, new ChatEventContext("fakepay", eventId), ct);
            return new PaymentResult(PaymentOutcome.Paid, true, confirmed.Applied);
        }
        catch (ChatException refusal)
        {
            // The chat no longer takes a payment (it was closed): the chat's answer stands, the money goes back.
            LogPaymentRefusedByChat(logger, eventId, orderId, refusal.Code);
            await db.Orders.Where(o => o.Id == orderId && o.Status == OrderStatus.Paid && o.PaymentEventId == eventId)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Refunded), CancellationToken.None);
            return new PaymentResult(PaymentOutcome.Refunded, true, false);
        }
    }

    /// <summary>Cancels an unpaid order and closes its chat; null when done, else the refusal to answer with.</summary>
    public async Task<IResult?> CancelAsync(string orderId, string actorId, CancellationToken ct)
    {
        var cancelled = await db.Orders.Where(o => o.Id == orderId && o.Status == OrderStatus.PendingPayment)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Cancelled), ct);
        if (cancelled == 0)
        {
            var status = await StatusOfAsync(orderId, ct);
            if (status is OrderStatus.Cancelled)
            {
                await chat.CancelAsync(orderId, new ChatEventContext(actorId), ct);   // a repeat, or the repair of a half-done cancel
                return null;
            }

            return status is OrderStatus.Refunded ? null : CannotCancel();
        }

        try
        {
            await chat.CancelAsync(orderId, new ChatEventContext(actorId), ct);
            return null;
        }
        catch (ChatException refusal)
        {
            await db.Orders.Where(o => o.Id == orderId && o.Status == OrderStatus.Cancelled)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.PendingPayment), CancellationToken.None);
            return Problems.From(refusal);
        }
    }

    /// <summary>Marks a paid order received and closes its chat; null when done, else the refusal.</summary>
    public async Task<IResult?> CompleteAsync(string orderId, string buyerId, CancellationToken ct)
    {
        var completed = await db.Orders.Where(o => o.Id == orderId && o.Status == OrderStatus.Paid)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Completed), ct);
        if (completed == 0)
        {
            if (await StatusOfAsync(orderId, ct) is not OrderStatus.Completed)
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "CannotComplete", "Only a paid order can be marked as received.");
            }

            await chat.CompleteAsync(orderId, new ChatEventContext(buyerId), ct);
            return null;
        }

        try
        {
            await chat.CompleteAsync(orderId, new ChatEventContext(buyerId), ct);
            return null;
        }
        catch (ChatException refusal)
        {
            await db.Orders.Where(o => o.Id == orderId && o.Status == OrderStatus.Completed)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Paid), CancellationToken.None);
            return Problems.From(refusal);
        }
    }

    /// <summary>Records a dispute on a paid order, freezes the transaction chat and opens the dispute chat; null when done, else the refusal.</summary>
    public async Task<IResult?> OpenDisputeAsync(Dispute dispute, CancellationToken ct)
    {
        db.Disputes.Add(dispute);
        await db.SaveChangesAsync(ct);
        var disputed = await db.Orders.Where(o => o.Id == dispute.OrderId && o.Status == OrderStatus.Paid)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Disputed), ct);
        if (disputed == 0)
        {
            await db.Disputes.Where(d => d.Id == dispute.Id).ExecuteDeleteAsync(CancellationToken.None);
            return CannotDispute();
        }

        try
        {
            await chat.OpenDisputeAsync(dispute.OrderId, dispute.Id, new ChatEventContext(dispute.OpenedById), ct);
            return null;
        }
        catch (ChatException refusal)
        {
            await db.Orders.Where(o => o.Id == dispute.OrderId && o.Status == OrderStatus.Disputed)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Paid), CancellationToken.None);
            await db.Disputes.Where(d => d.Id == dispute.Id).ExecuteDeleteAsync(CancellationToken.None);
            return Problems.From(refusal);
        }
    }

    /// <summary>
    /// Resolves a dispute: the first administrator's outcome wins (a guarded update of the dispute row), the order follows
    /// it, then the chat; a second administrator with the same outcome repeats it harmlessly, one with another outcome is refused.
    /// </summary>
    public async Task<IResult?> ResolveDisputeAsync(string disputeId, DisputeOutcome outcome, string? note, string adminId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var decided = await db.Disputes.Where(d => d.Id == disputeId && d.Outcome == null).ExecuteUpdateAsync(
            s => s.SetProperty(d => d.Outcome, outcome).SetProperty(d => d.ResolvedAt, now)
                .SetProperty(d => d.ResolutionNote, note)
                .SetProperty(d => d.AssignedAdminId, d => d.AssignedAdminId ?? adminId),
            ct);
        var dispute = await db.Disputes.AsNoTracking().SingleOrDefaultAsync(d => d.Id == disputeId, ct);
        if (dispute is null)
        {
            return Problems.NotAvailable();
        }

        if (decided == 0 && dispute.Outcome != outcome)
        {
            return Problems.Refuse(StatusCodes.Status409Conflict, "AlreadyResolved", "This dispute is already resolved with another outcome.");
        }

        var settled = outcome == DisputeOutcome.CloseTransaction ? OrderStatus.Settled : OrderStatus.Paid;
        await db.Orders.Where(o => o.Id == dispute.OrderId && o.Status == OrderStatus.Disputed)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, settled), ct);
        try
        {
            await chat.ResolveDisputeAsync(disputeId, outcome, new ChatEventContext(adminId), ct);
            return null;
        }
        catch (ChatException refusal) when (decided == 1)
        {
            // The chat refused the outcome: undo ours, so the dispute and the order still say what the chat says.
            await db.Orders.Where(o => o.Id == dispute.OrderId && o.Status == settled)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Disputed), CancellationToken.None);
            await db.Disputes.Where(d => d.Id == disputeId && d.Outcome == outcome).ExecuteUpdateAsync(
                s => s.SetProperty(d => d.Outcome, (DisputeOutcome?)null).SetProperty(d => d.ResolvedAt, (DateTimeOffset?)null)
                    .SetProperty(d => d.ResolutionNote, (string?)null),
                CancellationToken.None);
            return Problems.From(refusal);
        }
    }

    private async Task<PaymentResult> PaymentLostAsync(string orderId, string eventId, DateTimeOffset now, CancellationToken ct)
    {
        var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == orderId, ct);
        if (order.PaymentEventId == eventId)
        {
            var chatChanged = false;
            if (order.Status == OrderStatus.Paid)
            {
                // A re-delivery: the chat recognises the event id and changes nothing, or finishes a confirmation that failed.
                try
                {
                    chatChanged = (await chat.ConfirmPaymentAsync(orderId, new ChatEventContext("fakepay", eventId), ct)).Applied;
                }
                catch (ChatException refusal)
                {
                    LogPaymentRefusedByChat(logger, eventId, orderId, refusal.Code);
                }
            }

            return new PaymentResult(order.Status == OrderStatus.Refunded ? PaymentOutcome.Refunded : PaymentOutcome.Paid, false, chatChanged);
        }

        if (order.Status == OrderStatus.Cancelled)
        {
            // The payment arrived after the cancellation won: record it as refunded, leave the closed chat closed.
            var refunded = await db.Orders.Where(o => o.Id == orderId && o.Status == OrderStatus.Cancelled && o.PaymentEventId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Refunded).SetProperty(o => o.PaidAt, now).SetProperty(o => o.PaymentEventId, eventId), ct);
            if (refunded == 1)
            {
                LogRefundedAfterCancel(logger, eventId, orderId);
                return new PaymentResult(PaymentOutcome.Refunded, true, false);
            }
        }

        LogDuplicatePayment(logger, eventId, orderId, order.Status);
        return new PaymentResult(PaymentOutcome.Duplicate, false, false);
    }

    private Task<OrderStatus?> StatusOfAsync(string orderId, CancellationToken ct) =>
        db.Orders.AsNoTracking().Where(o => o.Id == orderId).Select(o => (OrderStatus?)o.Status).SingleOrDefaultAsync(ct);

    private static IResult CannotCancel() =>
        Problems.Refuse(StatusCodes.Status409Conflict, "CannotCancel", "Only an order that is not paid yet can be cancelled.");

    private static IResult CannotDispute() =>
        Problems.Refuse(StatusCodes.Status409Conflict, "CannotDispute", "A dispute can be opened on a paid order that is not complete.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment event {EventId} for order {OrderId} arrived after its cancellation: recorded as refunded.")]
    private static partial void LogRefundedAfterCancel(ILogger logger, string eventId, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment event {EventId} for order {OrderId} ({Status}) is not the order's payment: refunded.")]
    private static partial void LogDuplicatePayment(ILogger logger, string eventId, string orderId, OrderStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "The chat refused payment event {EventId} for order {OrderId} ({Code}): recorded as refunded.")]
    private static partial void LogPaymentRefusedByChat(ILogger logger, string eventId, string orderId, ChatErrorCode code);
}

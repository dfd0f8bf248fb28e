using Marketplace.Chat.Conversations;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Chat;

/// <summary>Answers the chat's one question, "who are the buyer and seller of this transaction", from the orders table.</summary>
public sealed class OrderParties(SampleDbContext db) : ITransactionPartyResolver
{
    /// <inheritdoc />
    public async ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == transactionId, cancellationToken);
        return order is null ? null : new TransactionParties(order.BuyerId, order.SellerId);
    }
}

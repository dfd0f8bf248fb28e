namespace Marketplace.Chat.Conversations;

/// <summary>
/// Answers the one marketplace question the chat asks its host: who are the buyer and the seller of a transaction.
/// Implemented by the host and registered with <c>AddTransactionPartyResolver&lt;T&gt;()</c>.
/// </summary>
public interface ITransactionPartyResolver
{
    /// <summary>Finds the parties of a transaction, or returns <see langword="null"/> when the host does not know it.</summary>
    ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken);
}

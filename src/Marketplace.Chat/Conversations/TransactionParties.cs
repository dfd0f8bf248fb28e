namespace Marketplace.Chat.Conversations;

/// <summary>Names the buyer and the seller of a transaction, as user ids of the host's identity system.</summary>
/// <param name="BuyerId">The buyer's user id (what SignalR's <c>Context.UserIdentifier</c> returns for them).</param>
/// <param name="SellerId">The seller's user id.</param>
public sealed record TransactionParties(string BuyerId, string SellerId);

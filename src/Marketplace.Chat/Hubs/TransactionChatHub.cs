using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Hubs;

/// <summary>The buyer/seller chat of a transaction, mapped at <c>{prefix}/transactions</c>.</summary>
public sealed class TransactionChatHub : ChatHubBase
{
    /// <summary>Initializes a new instance from the invocation's services.</summary>
    public TransactionChatHub(IServiceProvider services)
        : base(services)
    {
    }

    private protected override ConversationKind Kind => ConversationKind.Transaction;

    /// <summary>Joins the chat of a transaction and returns its snapshot (state, participants, permissions, newest messages).</summary>
    public Task<ChatSnapshot> Join(string transactionId) => JoinAsync(transactionId);
}

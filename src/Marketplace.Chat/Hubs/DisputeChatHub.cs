using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Hubs;

/// <summary>The chat of a dispute (buyer, seller, administrators), mapped at <c>{prefix}/disputes</c>.</summary>
public sealed class DisputeChatHub : ChatHubBase
{
    /// <summary>Initializes a new instance from the invocation's services.</summary>
    public DisputeChatHub(IServiceProvider services)
        : base(services)
    {
    }

    private protected override ConversationKind Kind => ConversationKind.Dispute;

    /// <summary>Joins the chat of a dispute; an administrator's first join is announced to the parties.</summary>
    public Task<ChatSnapshot> Join(string disputeId) => JoinAsync(disputeId);
}

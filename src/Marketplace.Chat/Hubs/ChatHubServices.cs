using Marketplace.Chat.Access;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Presence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Hubs;

/// <summary>What both hubs need, resolved once per hub invocation.</summary>
internal sealed class ChatHubServices(
    ChatMessagingService messaging,
    IChatPresence presence,
    ChatBudgets budgets,
    IChatConnectionRegistry connections,
    ChatUserResolver users,
    TimeProvider clock,
    IOptions<ChatOptions> options,
    StoredIdProbe storedIds,
    ILogger<ChatHubServices> logger)
{
    public StoredIdProbe StoredIds { get; } = storedIds;

    public ChatMessagingService Messaging { get; } = messaging;

    public IChatPresence Presence { get; } = presence;

    public ChatBudgets Budgets { get; } = budgets;

    public IChatConnectionRegistry Connections { get; } = connections;

    public ChatUserResolver Users { get; } = users;

    public TimeProvider Clock { get; } = clock;

    public ChatOptions Options { get; } = options.Value;

    public ILogger Logger { get; } = logger;
}

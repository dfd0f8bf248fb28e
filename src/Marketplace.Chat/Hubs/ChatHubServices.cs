using Marketplace.Chat.Access;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Hubs;

/// <summary>What a hub invocation needs, resolved from the invocation's scope.</summary>
internal sealed class ChatHubServices(
    ChatMessagingService messaging,
    ChatPresence presence,
    ChatSendLimiter limiter,
    ChatUserResolver users,
    TimeProvider clock,
    IOptions<ChatOptions> options)
{
    public ChatMessagingService Messaging { get; } = messaging;

    public ChatPresence Presence { get; } = presence;

    public ChatSendLimiter Limiter { get; } = limiter;

    public ChatUserResolver Users { get; } = users;

    public TimeProvider Clock { get; } = clock;

    public ChatOptions Options { get; } = options.Value;
}

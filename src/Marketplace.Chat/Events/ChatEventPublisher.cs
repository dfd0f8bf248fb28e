using Marketplace.Chat.Conversations;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Events;

/// <summary>Hands committed events to every registered sink; one failing sink never stops the others.</summary>
internal sealed class ChatEventPublisher(IEnumerable<IChatEventSink> sinks, ILogger<ChatEventPublisher> logger)
{
    private readonly IChatEventSink[] _sinks = sinks.ToArray();

    public Task MessageAddedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken ct) =>
        EachAsync(s => s.MessageAddedAsync(conversation, message, ct), nameof(IChatEventSink.MessageAddedAsync));

    /// <summary>Publishes a committed batch's new messages, in sequence order, to each sink in turn.</summary>
    public Task MessagesAddedAsync(IReadOnlyList<(ChatConversationInfo Conversation, ChatMessage Message)> added, CancellationToken ct) =>
        EachAsync(s => s.MessagesAddedAsync(added, ct), nameof(IChatEventSink.MessagesAddedAsync));

    public Task MessageChangedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken ct) =>
        EachAsync(s => s.MessageChangedAsync(conversation, message, ct), nameof(IChatEventSink.MessageChangedAsync));

    public Task StateChangedAsync(ChatStateChange change, CancellationToken ct) =>
        EachAsync(s => s.StateChangedAsync(change, ct), nameof(IChatEventSink.StateChangedAsync));

    public Task ReadPositionChangedAsync(Guid conversationId, string userId, long sequence, CancellationToken ct) =>
        EachAsync(s => s.ReadPositionChangedAsync(conversationId, userId, sequence, ct), nameof(IChatEventSink.ReadPositionChangedAsync));

    public Task ParticipantJoinedAsync(ChatConversationInfo conversation, string userId, ParticipantRole role, CancellationToken ct) =>
        EachAsync(s => s.ParticipantJoinedAsync(conversation, userId, role, ct), nameof(IChatEventSink.ParticipantJoinedAsync));

    public Task NotificationCountChangedAsync(string userId, int unreadCount, CancellationToken ct) =>
        EachAsync(s => s.NotificationCountChangedAsync(userId, unreadCount, ct), nameof(IChatEventSink.NotificationCountChangedAsync));

    private async Task EachAsync(Func<IChatEventSink, Task> call, string what)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                await call(sink).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A sink is somebody else's code: its failure is logged and must not undo a committed message.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ChatLog.EventSinkFailed(logger, ex, sink.GetType().Name, what);
            }
        }
    }
}

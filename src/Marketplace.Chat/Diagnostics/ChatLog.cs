using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Diagnostics;

/// <summary>The library's log messages, compiled once.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(1, LogLevel.Error, "Chat event sink {Sink} failed in {Event}; the stored data is unaffected.")]
    public static partial void EventSinkFailed(ILogger logger, Exception exception, string sink, string @event);

    [LoggerMessage(2, LogLevel.Information, "Conversation {ConversationId} ({Kind}) moved {From} -> {To} on {Trigger} by {Actor}.")]
    public static partial void Transitioned(ILogger logger, Guid conversationId, string kind, string from, string to, string trigger, string actor);

    [LoggerMessage(3, LogLevel.Information, "Trigger {Trigger} on conversation {ConversationId} was a redelivery; nothing changed.")]
    public static partial void TriggerRedelivered(ILogger logger, string trigger, Guid conversationId);

    [LoggerMessage(4, LogLevel.Information, "Trigger {Trigger} refused on conversation {ConversationId} in state {State}: {Reason}")]
    public static partial void TriggerRefused(ILogger logger, string trigger, Guid conversationId, string state, string reason);

    [LoggerMessage(5, LogLevel.Debug, "Trigger {Trigger} on conversation {ConversationId} lost a race (attempt {Attempt}); re-evaluating.")]
    public static partial void TransitionRaced(ILogger logger, string trigger, Guid conversationId, int attempt);

    [LoggerMessage(6, LogLevel.Information, "Registered transaction chat {ConversationId} for transaction {TransactionId}.")]
    public static partial void TransactionRegistered(ILogger logger, Guid conversationId, string transactionId);

    // Trace: the edge (hubs, endpoints) logs each refusal once, rate-limited, at Debug; this is the domain's detail.
    [LoggerMessage(7, LogLevel.Trace, "Refused {Action} in conversation {ConversationId}: {Code}.")]
    public static partial void AccessRefused(ILogger logger, string action, Guid conversationId, string code);

    // 8 (HubMethodFailed) retired: the edge logs unexpected failures once, with an error id (15).

    [LoggerMessage(9, LogLevel.Warning, "Refused a chat connection from origin {Origin}: not the site's own and not in ChatOptions.AllowedOrigins.")]
    public static partial void OriginRefused(ILogger logger, string origin);

    [LoggerMessage(10, LogLevel.Error, "A notification dispatch round failed; retrying on the next round.")]
    public static partial void DispatchRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "Notification handler {Handler} failed for delivery {DeliveryId}: {Reason}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler, Guid deliveryId, string reason);

    [LoggerMessage(12, LogLevel.Error, "Notification handler {Handler} gave up on delivery {DeliveryId} after {Attempts} attempts: {Reason}")]
    public static partial void HandlerGaveUp(ILogger logger, string handler, Guid deliveryId, int attempts, string reason);

    [LoggerMessage(13, LogLevel.Debug, "Refused {Where}: {Code} ({Suppressed} similar line(s) left out before this one).")]
    public static partial void EdgeRefused(ILogger logger, string where, string code, int suppressed);

    [LoggerMessage(14, LogLevel.Warning, "{Where} failed: the chat's database is unavailable ({ExceptionType}: {Reason}); the client was told to retry ({Suppressed} similar line(s) left out before this one).")]
    public static partial void EdgeUnavailable(ILogger logger, string where, string exceptionType, string reason, int suppressed);

    [LoggerMessage(15, LogLevel.Error, "{Where} failed unexpectedly (error id {ErrorId}).")]
    public static partial void EdgeUnexpected(ILogger logger, Exception exception, string where, string errorId);

    [LoggerMessage(16, LogLevel.Warning, "Notification dispatch paused: the chat's database is unavailable ({Reason}); retrying every round.")]
    public static partial void DispatchPaused(ILogger logger, string reason);

    // The conversation log's messages use ids from 100, apart from the other features' ranges.
    [LoggerMessage(101, LogLevel.Information, "Marketplace notice {Code} posted to conversation {ConversationId} as entry {Sequence} (event {EventId}).")]
    public static partial void NoticePosted(ILogger logger, string code, Guid conversationId, long sequence, string eventId);

    [LoggerMessage(102, LogLevel.Information, "Marketplace notice event {EventId} on conversation {ConversationId} was a redelivery; nothing changed.")]
    public static partial void NoticeRedelivered(ILogger logger, string eventId, Guid conversationId);

    [LoggerMessage(103, LogLevel.Warning, "Re-anchored the carried-over log of conversation {ConversationId} ({Count} entries; {Earlier}) with key {KeyId}.")]
    public static partial void LogReanchored(ILogger logger, Guid conversationId, int count, string earlier, string keyId);

    [LoggerMessage(104, LogLevel.Error, "Could not re-anchor carried-over conversation logs at start-up; they stay read-only until the next start.")]
    public static partial void ReanchoringFailed(ILogger logger, Exception exception);
}

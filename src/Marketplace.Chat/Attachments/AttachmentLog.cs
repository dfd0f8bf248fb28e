using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Attachments;

/// <summary>The attachment feature's log messages (event ids 200-299).</summary>
internal static partial class AttachmentLog
{
    [LoggerMessage(200, LogLevel.Information, "Stored attachment {AttachmentId} ({ContentType}, {Length} bytes, metadata removed: {MetadataRemoved}) in conversation {ConversationId}.")]
    public static partial void Stored(ILogger logger, Guid attachmentId, string contentType, long length, bool metadataRemoved, Guid conversationId);

    [LoggerMessage(201, LogLevel.Information, "Refused an upload to conversation {ConversationId}: {Code} (sniffed type {ContentType}).")]
    public static partial void Refused(ILogger logger, Guid conversationId, string code, string contentType);

    [LoggerMessage(202, LogLevel.Warning, "Attachment {AttachmentId} has a row but its stored bytes ({StorageKey}) are missing.")]
    public static partial void BytesMissing(ILogger logger, Guid attachmentId, string storageKey);

    [LoggerMessage(203, LogLevel.Information, "Removed {Count} upload(s) that no message referenced within {Lifetime}.")]
    public static partial void Swept(ILogger logger, int count, TimeSpan lifetime);

    [LoggerMessage(204, LogLevel.Error, "The sweep of unreferenced uploads failed; it runs again in {Interval}.")]
    public static partial void SweepFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(205, LogLevel.Warning, "Could not delete the stored bytes {StorageKey} of a removed attachment; the file is orphaned.")]
    public static partial void DeleteFailed(ILogger logger, Exception exception, string storageKey);

    [LoggerMessage(206, LogLevel.Debug, "Attachment {AttachmentId} was referenced while being swept; kept.")]
    public static partial void SweepRaced(ILogger logger, Guid attachmentId);
}

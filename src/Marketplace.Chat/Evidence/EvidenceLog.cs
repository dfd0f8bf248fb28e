using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Evidence;

/// <summary>The evidence export's log messages (event ids 300-399).</summary>
internal static partial class EvidenceLog
{
    [LoggerMessage(300, LogLevel.Information, "Administrator {UserId} exported the evidence of dispute {DisputeId}: {EntryCount} entries, {AttachmentCount} attachments, signed with key {KeyId}.")]
    public static partial void Exported(ILogger logger, string userId, string disputeId, int entryCount, int attachmentCount, string keyId);

    [LoggerMessage(301, LogLevel.Warning, "The evidence of dispute {DisputeId} was not exported: {Reason}")]
    public static partial void Unverifiable(ILogger logger, string disputeId, string reason);
}

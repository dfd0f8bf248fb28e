using System.Diagnostics;
using Marketplace.Chat.Access;
using Marketplace.Chat.Attachments.Inspection;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Accepts uploads (access, inspection, storage, row) and opens them for download (access on every request).
/// The HTTP edge streams the request body to a scratch file and hands it here; nothing here knows HTTP.
/// </summary>
internal sealed class AttachmentService(
    ChatMessagingService messaging,
    ChatStore store,
    AttachmentInspector inspector,
    IChatAttachmentStore files,
    IUploadBudget budget,
    AttachmentMetrics metrics,
    IOptions<ChatOptions> options,
    ILogger<AttachmentService> logger)
{
    /// <summary>The answer for a missing attachment and for one the caller may not see alike.</summary>
    public const string NotAvailableReason = "That attachment does not exist or you cannot see it.";

    private AttachmentOptions Limits => options.Value.Attachments;

    private DbSet<AttachmentRecord> Attachments => store.Db.Set<AttachmentRecord>();

    /// <summary>
    /// Checks, before any of the body is read, that the user may write in the conversation now, has room for another
    /// pending upload, has upload quota and inspection budget left, and takes one of their in-flight upload slots.
    /// Refusals are <see cref="ChatException"/>s.
    /// </summary>
    /// <returns>The in-flight slot; dispose it when the upload is stored or refused.</returns>
    public async Task<IDisposable> BeginUploadAsync(ChatUser user, Guid conversationId, CancellationToken cancellationToken)
    {
        await messaging.AuthorizeAsync(user, conversationId, ChatAction.Write, cancellationToken).ConfigureAwait(false);
        var retryAfter = budget.InspectionRetryAfter(user.UserId);
        if (retryAfter > TimeSpan.Zero)
        {
            throw Refuse(
                ChatErrorCode.RateLimited,
                $"Your recent uploads were refused too often; try again in {Math.Ceiling(retryAfter.TotalMinutes):0} minute(s).");
        }

        var since = store.Now() - Limits.UnreferencedUploadLifetime;
        var pending = await Attachments
            .CountAsync(
                a => a.UploaderId == user.UserId && a.CreatedAt > since && !store.Entries.Any(m => m.AttachmentId == a.Id),
                cancellationToken)
            .ConfigureAwait(false);
        if (pending >= Limits.MaxPendingUploadsPerUser)
        {
            throw Refuse(
                ChatErrorCode.RateLimited,
                $"You have {pending} uploaded files that were not sent yet; send them, or wait until unsent uploads expire.");
        }

        await CheckQuotaAsync(user, conversationId, 0, cancellationToken).ConfigureAwait(false);
        return budget.TryStartUpload(user.UserId)
            ?? throw Refuse(
                ChatErrorCode.QuotaExceeded,
                $"You already have {Limits.MaxConcurrentUploadsPerUser} uploads in progress; wait until one of them finishes.");
    }

    /// <summary>
    /// Inspects the upload (from its start), stores the accepted copy and records it. A refusal leaves neither a row
    /// nor stored bytes behind.
    /// </summary>
    /// <param name="user">The uploader.</param>
    /// <param name="conversationId">The conversation the upload is for.</param>
    /// <param name="originalName">The file name the client sent, used (sanitized) for display only.</param>
    /// <param name="upload">The whole upload, readable and seekable.</param>
    /// <param name="cancellationToken">Stops the work; nothing is kept.</param>
    public async Task<ChatAttachmentInfo> StoreAsync(
        ChatUser user, Guid conversationId, string? originalName, Stream upload, CancellationToken cancellationToken)
    {
        await using var inspected = TemporaryFile.Create();
        var started = Stopwatch.GetTimestamp();
        var verdict = await inspector.InspectAsync(upload, inspected, cancellationToken).ConfigureAwait(false);
        if (!verdict.Accepted)
        {
            // A refused upload cost inspection time and stored nothing: that time is what the budget limits.
            budget.ChargeRejectedInspection(user.UserId, Stopwatch.GetElapsedTime(started));
            var code = verdict.RejectionCode ?? ChatErrorCode.AttachmentTypeNotAllowed;
            metrics.Refused(code);
            AttachmentLog.Refused(logger, conversationId, code.ToString(), verdict.ContentType);
            throw new ChatException(code, verdict.RejectionReason ?? "This file is not allowed.") { Counted = true };
        }

        // The state may have changed while the bytes arrived (a dispute froze the chat): what counts is now.
        await messaging.AuthorizeAsync(user, conversationId, ChatAction.Write, cancellationToken).ConfigureAwait(false);
        var preview = verdict.Preview?.Preview;
        await CheckQuotaAsync(user, conversationId, verdict.StoredLength + (preview?.Length ?? 0), cancellationToken).ConfigureAwait(false);

        inspected.Position = 0;
        var key = await files.SaveAsync(inspected, cancellationToken).ConfigureAwait(false);
        string? previewKey = null;
        if (preview is not null)
        {
            try
            {
                using var previewContent = new MemoryStream(preview, writable: false);
                previewKey = await files.SaveAsync(previewContent, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await files.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        var record = new AttachmentRecord
        {
            Id = Guid.NewGuid(),
            ConversationId = conversationId,
            UploaderId = user.UserId,
            Kind = verdict.Kind,
            FileName = AttachmentFileName.ForDisplay(originalName, verdict.ContentType),
            ContentType = verdict.ContentType,
            Length = verdict.StoredLength,
            Width = verdict.Width,
            Height = verdict.Height,
            Sha256 = verdict.Sha256,
            MetadataRemoved = verdict.MetadataStripped,
            StorageKey = key,
            CreatedAt = store.Now(),
            PreviewKey = previewKey,
            PreviewContentType = previewKey is null ? null : verdict.Preview!.PreviewContentType,
            PreviewWidth = previewKey is null ? null : verdict.Preview!.PreviewWidth,
            PreviewHeight = previewKey is null ? null : verdict.Preview!.PreviewHeight,
            PreviewLength = preview?.Length ?? 0,
        };

        try
        {
            Attachments.Add(record);
            await store.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await files.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            if (previewKey is not null)
            {
                await files.DeleteAsync(previewKey, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }
        finally
        {
            store.Db.Entry(record).State = EntityState.Detached;
        }

        metrics.Stored(record.Kind, record.MetadataRemoved);
        AttachmentLog.Stored(logger, record.Id, record.ContentType, record.Length, record.MetadataRemoved, conversationId);
        return record.ToInfo();
    }

    /// <summary>
    /// Opens an attachment for the user: they must be able to read its conversation now, and it must be referenced by
    /// a message that was not deleted, unless they uploaded it and it was not sent yet. Every other case, including
    /// a missing attachment, gets the same <see cref="ChatErrorCode.AttachmentNotAvailable"/>.
    /// </summary>
    /// <param name="user">The caller.</param>
    /// <param name="attachmentId">The attachment.</param>
    /// <param name="preview">Whether to open the image's preview rather than the original; a file has none (not available).</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<AttachmentDownload> OpenAsync(ChatUser user, Guid attachmentId, bool preview, CancellationToken cancellationToken)
    {
        var record = await Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId, cancellationToken).ConfigureAwait(false)
            ?? throw NotAvailable();
        try
        {
            await messaging.AuthorizeAsync(user, record.ConversationId, ChatAction.Read, cancellationToken).ConfigureAwait(false);
        }
        catch (ChatException)
        {
            throw NotAvailable();
        }

        var reference = await store.Entries.AsNoTracking().Where(m => m.AttachmentId == attachmentId)
            .Select(m => new { Deleted = store.Entries.Any(e => e.TargetId == m.Id && e.Kind == ChatMessageKind.Deletion) })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var visible = reference is null
            ? string.Equals(record.UploaderId, user.UserId, StringComparison.Ordinal)
            : !reference.Deleted || await MayReadEvidenceAsync(user, record.ConversationId, cancellationToken).ConfigureAwait(false);
        if (!visible)
        {
            throw NotAvailable();
        }

        var key = preview ? record.PreviewKey : record.StorageKey;
        if (key is null)
        {
            throw NotAvailable();
        }

        var content = await files.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            AttachmentLog.BytesMissing(logger, record.Id, key);
            throw NotAvailable();
        }

        var info = record.ToInfo();
        if (preview)
        {
            // The preview is served as what it is (its own type, length and tag), under the original's name.
            var name = Path.ChangeExtension(info.FileName, record.PreviewContentType == "image/png" ? ".png" : ".jpg");
            return new AttachmentDownload(
                info with { FileName = name, ContentType = record.PreviewContentType!, Length = record.PreviewLength, Sha256 = info.Sha256 + "-preview" },
                record.CreatedAt,
                content,
                Inline: true);
        }

        var inline = record.Kind == AttachmentKind.Image && Limits.AllowedImageTypes.Contains(record.ContentType);
        return new AttachmentDownload(info, record.CreatedAt, content, inline);
    }

    private async Task CheckQuotaAsync(ChatUser user, Guid conversationId, long adding, CancellationToken cancellationToken)
    {
        var byUser = await Attachments.Where(a => a.UploaderId == user.UserId)
            .SumAsync(a => a.Length + a.PreviewLength, cancellationToken).ConfigureAwait(false);
        if (byUser + adding > Limits.MaxStoredBytesPerUser || (adding == 0 && byUser >= Limits.MaxStoredBytesPerUser))
        {
            throw Refuse(
                ChatErrorCode.QuotaExceeded,
                $"Your uploads already use {AttachmentInspector.DescribeBytes(byUser)} of the {AttachmentInspector.DescribeBytes(Limits.MaxStoredBytesPerUser)} allowed.");
        }

        var byConversation = await Attachments.Where(a => a.ConversationId == conversationId)
            .SumAsync(a => a.Length + a.PreviewLength, cancellationToken).ConfigureAwait(false);
        if (byConversation + adding > Limits.MaxStoredBytesPerConversation || (adding == 0 && byConversation >= Limits.MaxStoredBytesPerConversation))
        {
            throw Refuse(
                ChatErrorCode.QuotaExceeded,
                $"This conversation's files already use {AttachmentInspector.DescribeBytes(byConversation)} of the {AttachmentInspector.DescribeBytes(Limits.MaxStoredBytesPerConversation)} allowed.");
        }
    }

    private ChatException Refuse(ChatErrorCode code, string reason)
    {
        metrics.Refused(code);
        return new ChatException(code, reason) { Counted = true };
    }

    /// <summary>Tells whether the user reads the conversation's log as written (administrators in disputes), who also see deleted attachments.</summary>
    private async Task<bool> MayReadEvidenceAsync(ChatUser user, Guid conversationId, CancellationToken ct)
    {
        try
        {
            await messaging.AuthorizeAsync(user, conversationId, ChatAction.ReadEvidence, ct).ConfigureAwait(false);
            return true;
        }
        catch (ChatException)
        {
            return false;
        }
    }

    private ChatException NotAvailable()
    {
        metrics.Refused(ChatErrorCode.AttachmentNotAvailable);
        return new ChatException(ChatErrorCode.AttachmentNotAvailable, NotAvailableReason) { Counted = true };
    }
}

/// <summary>An attachment opened for download.</summary>
/// <param name="Info">What it is.</param>
/// <param name="StoredAt">When it was stored (its last modification).</param>
/// <param name="Content">Its bytes; the caller disposes the stream.</param>
/// <param name="Inline">Whether browsers may show it in place (an allowed image) rather than download it.</param>
internal sealed record AttachmentDownload(ChatAttachmentInfo Info, DateTimeOffset StoredAt, Stream Content, bool Inline);

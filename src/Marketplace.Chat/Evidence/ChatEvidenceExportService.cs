using System.Globalization;
using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Evidence;

/// <summary>Checks that the caller is an administrator, loads the dispute's evidence, refuses a log that does not verify, and writes the signed bundle.</summary>
internal sealed class ChatEvidenceExportService(
    EvidenceLoader loader, IOptions<ChatEvidenceOptions> options, TimeProvider clock, ILogger<ChatEvidenceExportService> logger) : IChatEvidenceExport
{
    internal const string MissingKeyMessage =
        "The evidence export has no signing key. Call services.AddMarketplaceChat(...).AddEvidenceExport(o => o.SigningKey = " +
        "ChatEvidenceSigningKey.LoadOrCreate(\"/path/outside/the/web/root/evidence-signing-key.pem\")) (or pass your own ECDSA P-256 key).";

    public async Task<ChatEvidenceExport> ExportDisputeAsync(string disputeId, ChatUser exportedBy, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var settings = options.Value;
        var key = settings.SigningKey ?? throw new InvalidOperationException(MissingKeyMessage);
        if (string.IsNullOrWhiteSpace(disputeId) || disputeId.Length > 200)
        {
            throw new ChatException(ChatErrorCode.ConversationNotAvailable, ChatAccessPolicy.NotAvailableReason);
        }

        var found = await loader.FindAsync(disputeId, cancellationToken).ConfigureAwait(false);
        var relation = exportedBy.IsAdmin ? ChatRelation.Admin : ChatRelation.Outsider;
        if (found is not var (dispute, transaction)
            || Refused(ChatAccessPolicy.Decide(ConversationKind.Dispute, dispute.State, relation, ChatAction.ReadEvidence, false))
            || Refused(ChatAccessPolicy.Decide(ConversationKind.Transaction, transaction.State, relation, ChatAction.ReadEvidence, transaction.HasDispute)))
        {
            throw new ChatException(ChatErrorCode.ConversationNotAvailable, ChatAccessPolicy.NotAvailableReason);
        }

        var exportedAt = clock.GetUtcNow();
        var content = await loader.LoadAsync(dispute.Id, transaction.Id, exportedBy.UserId, exportedAt, cancellationToken).ConfigureAwait(false);
        foreach (var (name, log) in new[] { ("transaction", content.TransactionChat), ("dispute", content.DisputeChat) })
        {
            if (!log.Verification.IsIntact)
            {
                var reason = $"The {name} chat's log does not verify (entry #{log.Verification.FirstBrokenSequence}: {log.Verification.Damage}), " +
                    "so the marketplace cannot sign it as evidence. Check the log's verification and the registered log keys.";
                EvidenceLog.Unverifiable(logger, disputeId, reason);
                throw new ChatException(ChatErrorCode.EvidenceUnverifiable, reason);
            }
        }

        try
        {
            await EvidenceBundleWriter.WriteAsync(content, key, output, settings.FontFile, settings.BoldFontFile, cancellationToken).ConfigureAwait(false);
        }
        catch (ChatException refusal) when (refusal.Code == ChatErrorCode.EvidenceUnverifiable)
        {
            EvidenceLog.Unverifiable(logger, disputeId, refusal.Message);
            throw;
        }

        var entries = content.TransactionChat.Entries.Count + content.DisputeChat.Entries.Count;
        EvidenceLog.Exported(logger, exportedBy.UserId, disputeId, entries, content.Attachments.Count, key.KeyId);
        return new ChatEvidenceExport(
            disputeId, content.TransactionId, FileName(disputeId, exportedAt), exportedAt, key.KeyId, key.Fingerprint, entries, content.Attachments.Count);
    }

    internal static string FileName(string disputeId, DateTimeOffset exportedAt)
    {
        var safe = new string(disputeId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(60).ToArray());
        return $"evidence-{safe}-{exportedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.zip";
    }

    private static bool Refused(AccessDecision decision) => !decision.Allowed;
}

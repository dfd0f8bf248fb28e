using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Anchors logs that a migration carried over from the earlier storage (messages and revisions) with the host's key,
/// once: under the conversation's row lock it checks the carried entries against the earlier unkeyed chain, chains
/// every entry with the current key (the only time entries' link columns are written after insert; their content is
/// untouched) and appends a <c>LogReanchored</c> system entry that says so and what the earlier chain showed.
/// </summary>
internal sealed class ConversationLogAnchor(ChatStore store, ConversationLog log, ChatLogKeys keys, ILogger<ConversationLogAnchor> logger)
{
    /// <summary>The key id a migration gives carried-over entries.</summary>
    public const string CarriedOverKeyId = "carried-over";

    /// <summary>The system code of the entry that records a re-anchoring.</summary>
    public const string ReanchoredCode = "LogReanchored";

    /// <summary>Anchors every carried-over log; returns how many were anchored.</summary>
    public async Task<int> AnchorAllAsync(CancellationToken ct)
    {
        var pending = await store.Conversations.AsNoTracking().Where(c => c.LastHash == "" && c.LastSequence > 0)
            .Select(c => c.Id).ToListAsync(ct).ConfigureAwait(false);
        var anchored = 0;
        foreach (var id in pending)
        {
            if (await AnchorAsync(id, ct).ConfigureAwait(false))
            {
                anchored++;
            }
        }

        return anchored;
    }

    /// <summary>Anchors one carried-over log; false when it needs none (already anchored, by this node or another).</summary>
    public async Task<bool> AnchorAsync(Guid conversationId, CancellationToken ct)
    {
        try
        {
            return await store.InTransactionAsync(
                async token =>
                {
                    var locked = await store.ReserveSequenceAsync(conversationId, token).ConfigureAwait(false);
                    if (locked is null || locked.LastHash.Length != 0)
                    {
                        throw new NothingToAnchorException();
                    }

                    var entries = await store.Entries.Where(e => e.ConversationId == conversationId).OrderBy(e => e.Sequence)
                        .ToListAsync(token).ConfigureAwait(false);
                    var earlier = CheckEarlierChain(entries);
                    var previous = EntryHasher.Genesis;
                    foreach (var entry in entries)
                    {
                        entry.KeyId = keys.CurrentId;
                        entry.PreviousHash = previous;
                        entry.Hash = EntryHasher.Compute(keys.Current, entry);
                        previous = entry.Hash;
                    }

                    locked.LastHash = previous;
                    var text = string.Create(
                        CultureInfo.InvariantCulture,
                        $"This conversation's log was carried over from the earlier storage ({entries.Count} entries; {earlier}) and anchored with key '{keys.CurrentId}'.");
                    log.AppendReserved(locked, EntryDraft.System(ReanchoredCode, text, store.Now()));
                    ChatLog.LogReanchored(logger, conversationId, entries.Count, earlier, keys.CurrentId);
                    return true;
                },
                ct).ConfigureAwait(false);
        }
        catch (NothingToAnchorException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks carried messages against the earlier unkeyed SHA-256 chain (which covered the previous hash, the
    /// conversation, sequence, kind, sender, time, original text and attachment hash), so the anchoring entry can say
    /// whether what it anchors matched that chain.
    /// </summary>
    internal static string CheckEarlierChain(IReadOnlyList<EntryRecord> entries)
    {
        var previous = EntryHasher.Genesis;
        var length = new byte[4];
        foreach (var e in entries.Where(e => e.Hash.Length == 64 && e.TargetId is null))
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var field in new[]
                     {
                         previous, e.ConversationId.ToString("N"), e.Sequence.ToString(CultureInfo.InvariantCulture), e.Kind.ToString(),
                         e.SenderId ?? "", e.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), e.Text ?? "", e.AttachmentSha256 ?? "",
                     })
            {
                var bytes = Encoding.UTF8.GetBytes(field);
                BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
                sha.AppendData(length);
                sha.AppendData(bytes);
            }

            if (!string.Equals(Convert.ToHexStringLower(sha.GetHashAndReset()), e.Hash, StringComparison.Ordinal))
            {
                return string.Create(CultureInfo.InvariantCulture, $"the earlier chain did not match from entry {e.Sequence}");
            }

            previous = e.Hash;
        }

        return "the earlier chain matched";
    }

    private sealed class NothingToAnchorException : Exception
    {
        public NothingToAnchorException()
            : base("The conversation's log needs no anchoring.")
        {
        }
    }
}

/// <summary>Anchors carried-over logs when the host starts, before anything can append to them.</summary>
internal sealed class ConversationLogAnchoring(IServiceScopeFactory scopes, ILogger<ConversationLogAnchoring> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ConversationLogAnchor>().AnchorAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // Without the database the host still starts (and reports it through health); the next start anchors.
            ChatLog.ReanchoringFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

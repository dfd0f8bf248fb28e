using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Log;

public sealed partial class ConversationLogShould
{
    [Fact]
    public async Task Verify_an_untouched_log_with_every_kind_of_entry_as_intact_up_to_the_head()
    {
        var deal = await DealWithEveryKindOfEntryAsync();

        var verification = await VerifyAsync(deal);

        var kinds = await _chat.Db(db => db.Set<EntryRecord>().Where(e => e.ConversationId == deal.ChatId)
            .OrderBy(e => e.Sequence).Select(e => e.Kind).ToListAsync());
        Assert.Equal(
            [
                ChatMessageKind.System, ChatMessageKind.System, ChatMessageKind.Text, ChatMessageKind.Text, ChatMessageKind.Text,
                ChatMessageKind.Image, ChatMessageKind.Edit, ChatMessageKind.Deletion, ChatMessageKind.Text, ChatMessageKind.System,
            ],
            kinds);
        var head = await _chat.Db(db => db.Set<ConversationRecord>().SingleAsync(c => c.Id == deal.ChatId));
        Assert.True(verification.IsIntact);
        Assert.Equal(10, verification.MessageCount);
        Assert.Equal((10L, head.LastHash), (head.LastSequence, verification.HeadHash));
        Assert.Equal([Support.TestLogKeys.CurrentId], verification.KeyIds);
    }

    [Fact]
    public async Task Chain_two_appends_to_one_conversation_in_one_transaction_from_the_pending_head()
    {
        var (_, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);

        await using (var scope = _chat.Scope())
        {
            var store = scope.ServiceProvider.GetRequiredService<ChatStore>();
            var log = scope.ServiceProvider.GetRequiredService<ConversationLog>();
            await store.InTransactionAsync(
                async ct =>
                {
                    foreach (var text in new[] { "first of two", "second of two" })
                    {
                        await log.AppendAsync(chat.Id, new EntryDraft(Guid.NewGuid(), ChatMessageKind.Text, store.Now()) { SenderId = buyer.UserId, Text = text }, null, ct);
                    }

                    return true;
                },
                CancellationToken.None);
        }

        var verification = await _chat.Messaging(m => m.VerifyChainAsync(buyer, chat.Id));
        var head = await _chat.Db(db => db.Set<ConversationRecord>().SingleAsync(c => c.Id == chat.Id));
        Assert.True(verification.IsIntact);
        Assert.Equal((4L, 4L, verification.HeadHash), (verification.MessageCount, head.LastSequence, head.LastHash));
    }

    [Theory]
    [InlineData("delete the last entry", 10L, ChainDamage.TailTruncated)]
    [InlineData("delete a middle entry", 4L, ChainDamage.EntryMissing)]
    [InlineData("swap two entries", 3L, ChainDamage.OrderChanged)]
    [InlineData("change a text", 4L, ChainDamage.ContentChanged)]
    [InlineData("change a system code", 2L, ChainDamage.ContentChanged)]
    [InlineData("change a sender", 3L, ChainDamage.ContentChanged)]
    [InlineData("change a role", 4L, ChainDamage.ContentChanged)]
    [InlineData("un-delete a message", 8L, ChainDamage.EntryMissing)]
    [InlineData("change an edit's target", 7L, ChainDamage.ContentChanged)]
    [InlineData("change an attachment hash", 6L, ChainDamage.ContentChanged)]
    [InlineData("change a time", 9L, ChainDamage.ContentChanged)]
    [InlineData("recompute every hash without the key", 1L, ChainDamage.ContentChanged)]
    [InlineData("claim a key the host does not hold", 5L, ChainDamage.UnknownKey)]
    public async Task Name_the_first_damaged_entry_and_the_kind_of_damage(string tampering, long sequence, ChainDamage damage)
    {
        var deal = await DealWithEveryKindOfEntryAsync();
        Assert.True((await VerifyAsync(deal)).IsIntact);
        var c = deal.ChatId;

        switch (tampering)
        {
            case "delete the last entry":
                await Sql($"DELETE FROM chat.chat_entries WHERE \"ConversationId\" = {c} AND \"Sequence\" = 10");
                break;
            case "delete a middle entry":
                await Sql($"DELETE FROM chat.chat_entries WHERE \"ConversationId\" = {c} AND \"Sequence\" = 4");
                break;
            case "swap two entries":
                await Sql($"UPDATE chat.chat_entries SET \"Sequence\" = -3 WHERE \"ConversationId\" = {c} AND \"Sequence\" = 3");
                await Sql($"UPDATE chat.chat_entries SET \"Sequence\" = 3 WHERE \"ConversationId\" = {c} AND \"Sequence\" = 4");
                await Sql($"UPDATE chat.chat_entries SET \"Sequence\" = 4 WHERE \"ConversationId\" = {c} AND \"Sequence\" = -3");
                break;
            case "change a text":
                await Sql($"UPDATE chat.chat_entries SET \"Text\" = 'The screen arrived fine.' WHERE \"ConversationId\" = {c} AND \"Sequence\" = 4");
                break;
            case "change a system code":
                await Sql($"UPDATE chat.chat_entries SET \"SystemCode\" = 'Cancelled' WHERE \"ConversationId\" = {c} AND \"Sequence\" = 2");
                break;
            case "change a sender":
                await Sql($"UPDATE chat.chat_entries SET \"SenderId\" = {deal.Buyer.UserId} WHERE \"ConversationId\" = {c} AND \"Sequence\" = 3");
                break;
            case "change a role":
                await Sql($"UPDATE chat.chat_entries SET \"SenderRole\" = 'Admin' WHERE \"ConversationId\" = {c} AND \"Sequence\" = 4");
                break;
            case "un-delete a message":
                await Sql($"DELETE FROM chat.chat_entries WHERE \"ConversationId\" = {c} AND \"Kind\" = 'Deletion'");
                break;
            case "change an edit's target":
                await Sql($"UPDATE chat.chat_entries SET \"TargetId\" = {deal.Complaint.Id}, \"TargetSequence\" = 4 WHERE \"ConversationId\" = {c} AND \"Kind\" = 'Edit'");
                break;
            case "change an attachment hash":
                await Sql($"UPDATE chat.chat_entries SET \"AttachmentSha256\" = {new string('0', 64)} WHERE \"ConversationId\" = {c} AND \"Sequence\" = 6");
                break;
            case "change a time":
                await Sql($"UPDATE chat.chat_entries SET \"CreatedAt\" = \"CreatedAt\" - interval '1 day' WHERE \"ConversationId\" = {c} AND \"Sequence\" = 9");
                break;
            case "recompute every hash without the key":
                await RechainWithoutTheKeyAsync(c);
                break;
            case "claim a key the host does not hold":
                await Sql($"UPDATE chat.chat_entries SET \"KeyId\" = 'attacker-1' WHERE \"ConversationId\" = {c} AND \"Sequence\" = 5");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering, null);
        }

        var verification = await VerifyAsync(deal);

        Assert.False(verification.IsIntact);
        Assert.Equal((sequence, damage), (verification.FirstBrokenSequence, verification.Damage));
        Assert.Equal(sequence - 1, verification.MessageCount);
    }

    /// <summary>
    /// What an insider with write access but without the key can do at best: rebuild the whole chain consistently
    /// (links, hashes and the head on the conversation row) with a key of their own.
    /// </summary>
    private async Task RechainWithoutTheKeyAsync(Guid conversationId)
    {
        var forged = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await _chat.Db(async db =>
        {
            var entries = await db.Set<EntryRecord>().Where(e => e.ConversationId == conversationId).OrderBy(e => e.Sequence).ToListAsync();
            var previous = EntryHasher.Genesis;
            foreach (var e in entries)
            {
                e.PreviousHash = previous;
                e.Text = e.Sequence == 3 ? "Refunds within 30 days." : e.Text;
                e.Hash = EntryHasher.Compute(forged, e);
                previous = e.Hash;
            }

            var conversation = await db.Set<ConversationRecord>().SingleAsync(x => x.Id == conversationId);
            conversation.LastHash = previous;
            return await db.SaveChangesAsync();
        });
    }
}

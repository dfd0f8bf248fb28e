using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Notifications;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.IntegrationTests.Log;

public sealed partial class ConversationLogShould
{
    private static readonly ChatNotice Shipped = new(
        "OrderShipped", "The parcel is on its way.", new Dictionary<string, string> { ["carrier"] = "UPS", ["tracking"] = "1Z999AA10123456784" });

    [Fact]
    public async Task Post_a_host_notice_once_per_event_id_even_when_delivered_twice_at_once()
    {
        var (id, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            _chat.Lifecycle(l => l.PostNoticeAsync(id, "shipment-1", Shipped))))).WaitAsync(TimeSpan.FromSeconds(60));

        var notice = Assert.Single(deliveries.DistinctBy(d => d.Id));
        Assert.Equal((ChatMessageKind.Notice, "OrderShipped", "The parcel is on its way.", 3L), (notice.Kind, notice.SystemCode, notice.Text, notice.Sequence));
        Assert.Equal("1Z999AA10123456784", notice.Parameters!["tracking"]);
        Assert.Null(notice.SenderId);
        Assert.Equal(1, await _chat.Db(db => db.Set<EntryRecord>().CountAsync(e => e.ConversationId == chat.Id && e.Kind == ChatMessageKind.Notice)));
        var again = await _chat.Lifecycle(l => l.PostNoticeAsync(id, "shipment-1", Shipped with { Text = "A different text" }));
        Assert.Equal((notice.Id, notice.Text), (again.Id, again.Text));

        var inHistory = (await _chat.Messaging(m => m.GetHistoryAsync(seller, chat.Id, new HistoryQuery()))).Messages.Single(m => m.Kind == ChatMessageKind.Notice);
        Assert.Equal(notice.Parameters, inHistory.Parameters);
        var recipients = await _chat.Db(db => db.Set<NotificationRecord>()
            .Where(n => n.ConversationId == chat.Id && n.Kind == ChatNotificationKind.MarketplaceNotice).Select(n => n.RecipientId).OrderBy(r => r).ToListAsync());
        Assert.Equal(new[] { buyer.UserId, seller.UserId }.Order(), recipients);
    }

    [Fact]
    public async Task Post_host_notices_in_a_frozen_and_a_closed_chat_and_chain_them_with_their_parameters()
    {
        var deal = await DealWithEveryKindOfEntryAsync();

        var frozen = await _chat.Lifecycle(l => l.PostNoticeAsync(deal.TransactionId, "shipment-2", Shipped));
        var inDispute = await _chat.Lifecycle(l => l.PostDisputeNoticeAsync(deal.DisputeKey, "refund-1", new ChatNotice("RefundIssued", "A refund of 12 € was issued.")));
        await _chat.Lifecycle(l => l.ResolveDisputeAsync(deal.DisputeKey, DisputeOutcome.CloseTransaction));
        var closed = await _chat.Lifecycle(l => l.PostNoticeAsync(deal.TransactionId, "review-1", new ChatNotice("ReviewRequested", "Tell us how it went.")));

        Assert.Equal(11L, frozen.Sequence);
        Assert.Equal(ChatMessageKind.Notice, inDispute.Kind);
        Assert.Equal(13L, closed.Sequence);
        Assert.True((await VerifyAsync(deal)).IsIntact);
        Assert.True((await _chat.Messaging(m => m.VerifyChainAsync(deal.Buyer, deal.DisputeId))).IsIntact);

        await Sql($"UPDATE chat.chat_entries SET \"Parameters\" = '{{\"carrier\":\"UPS\",\"tracking\":\"1Z000\"}}' WHERE \"Id\" = {frozen.Id}");
        Assert.Equal((11L, ChainDamage.ContentChanged), ((await VerifyAsync(deal)).FirstBrokenSequence, (await VerifyAsync(deal)).Damage));
    }

    [Theory]
    [InlineData("", "OrderShipped", "Shipped")]
    [InlineData("e-1", "", "Shipped")]
    [InlineData("e-1", "Order Shipped", "Shipped")]
    [InlineData("e-1", "OrderShipped", " \u0007 ")]
    public async Task Refuse_a_malformed_host_notice_with_a_reason_and_store_nothing(string eventId, string code, string text)
    {
        var (id, chat, _, _) = await _chat.NewTransactionAsync(paid: true);

        var refused = await Assert.ThrowsAsync<ChatException>(() => _chat.Lifecycle(l => l.PostNoticeAsync(id, eventId, new ChatNotice(code, text))));

        Assert.Equal(ChatErrorCode.InvalidArgument, refused.Code);
        Assert.Equal(2, await _chat.Db(db => db.Set<EntryRecord>().CountAsync(e => e.ConversationId == chat.Id)));
        var unknown = await Assert.ThrowsAsync<ChatException>(() => _chat.Lifecycle(l => l.PostNoticeAsync("tx-unknown", "e-2", Shipped)));
        Assert.Equal(ChatErrorCode.TransactionUnknown, unknown.Code);
    }
}

using System.Net;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Attachments;

public sealed partial class AttachmentsShould
{
    [Fact]
    public async Task Refuse_an_upload_past_a_users_stored_bytes_quota_and_keep_nothing_of_it()
    {
        var (host, root) = await StartHostAsync("attachment_user_quota", o => o.Attachments.MaxStoredBytesPerUser = 5000);
        await using var _ = host;
        var deal = await NewDealAsync(host);
        await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, Text(3000), "a.txt");
        var filesBefore = StoredFiles(root).Count;

        using var over = await UploadAsync(host, deal.Buyer, deal.ConversationId, Text(2001), "b.txt");

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "QuotaExceeded"), await ProblemOf(over));
        Assert.Single(await RowsAsync(host, deal.ConversationId));
        Assert.Equal(filesBefore, StoredFiles(root).Count);
        await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, Text(2000), "exactly-at-the-quota.txt");
        await UploadAcceptedAsync(host, deal.Seller, deal.ConversationId, Text(3000), "the-seller-has-their-own.txt");

        // Full: refused before the body is read.
        using var full = await UploadAsync(host, deal.Buyer, deal.ConversationId, Text(1), "c.txt");
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "QuotaExceeded"), await ProblemOf(full));
    }

    [Fact]
    public async Task Count_an_images_preview_against_the_quota()
    {
        var photo = CorpusFiles.Read("photo_bali_small.jpg");
        var (host, _) = await StartHostAsync("attachment_preview_quota", o => o.Attachments.MaxStoredBytesPerUser = photo.Length);
        await using var _ = host;
        var deal = await NewDealAsync(host);

        using var response = await UploadAsync(host, deal.Buyer, deal.ConversationId, photo, "bali.jpg");

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "QuotaExceeded"), await ProblemOf(response));
    }

    [Fact]
    public async Task Refuse_an_upload_past_a_conversations_stored_bytes_quota_whoever_sends_it()
    {
        var (host, _) = await StartHostAsync("attachment_conversation_quota", o => o.Attachments.MaxStoredBytesPerConversation = 5000);
        await using var _ = host;
        var deal = await NewDealAsync(host);
        var otherId = "tx-" + Guid.NewGuid().ToString("N")[..10];
        host.Parties.Transactions[otherId] = new TransactionParties(deal.Buyer, "seller-" + otherId);
        var other = await host.Lifecycle(l => l.RegisterTransactionAsync(otherId));
        await host.Lifecycle(l => l.ConfirmPaymentAsync(otherId));
        await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, Text(3000), "a.txt");

        using var over = await UploadAsync(host, deal.Seller, deal.ConversationId, Text(2001), "b.txt");

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "QuotaExceeded"), await ProblemOf(over));
        await UploadAcceptedAsync(host, deal.Buyer, other.Conversation.Id, Text(3000), "another-conversation.txt");
    }

    [Fact]
    public async Task Refuse_an_upload_while_the_user_has_all_their_uploads_in_flight()
    {
        var (host, _) = await StartHostAsync("attachment_in_flight", o => o.Attachments.MaxConcurrentUploadsPerUser = 2);
        await using var _ = host;
        var deal = await NewDealAsync(host);
        var budget = host.Services.GetRequiredService<IUploadBudget>();
        var first = budget.TryStartUpload(deal.Buyer)!;
        using var second = budget.TryStartUpload(deal.Buyer)!;

        using var refused = await UploadAsync(host, deal.Buyer, deal.ConversationId, Text(10), "a.txt");
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "QuotaExceeded"), await ProblemOf(refused));
        await UploadAcceptedAsync(host, deal.Seller, deal.ConversationId, Text(10), "the-seller-is-not-busy.txt");

        first.Dispose();
        await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, Text(10), "a-slot-is-free.txt");

        // The upload gave its slot back: one is still free beside the one held here.
        using var third = budget.TryStartUpload(deal.Buyer);
        Assert.NotNull(third);
    }

    [Fact]
    public async Task Count_the_inspection_time_of_rejected_uploads_against_the_users_budget()
    {
        var (host, _) = await StartHostAsync("attachment_rejected_budget", o =>
        {
            o.Attachments.RejectedInspectionBudget = TimeSpan.FromTicks(1);
            o.Attachments.RejectedInspectionWindow = TimeSpan.FromHours(1);
        });
        await using var _ = host;
        var deal = await NewDealAsync(host);

        using var rejected = await UploadAsync(host, deal.Buyer, deal.ConversationId, CorpusFiles.Read("zip_bomb.zip"), "bomb.zip");
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "ArchiveNotAllowed"), await ProblemOf(rejected));

        using var next = await UploadAsync(host, deal.Buyer, deal.ConversationId, Text(10), "fine.txt");
        Assert.Equal((HttpStatusCode.TooManyRequests, "RateLimited"), await ProblemOf(next));
        await UploadAcceptedAsync(host, deal.Seller, deal.ConversationId, Text(10), "the-seller-has-budget.txt");
    }

    private static byte[] Text(int length) => System.Text.Encoding.ASCII.GetBytes(new string('q', length));
}

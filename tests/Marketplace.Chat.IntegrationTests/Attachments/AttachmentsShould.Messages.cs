using System.Net;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.IntegrationTests.Attachments;

public sealed partial class AttachmentsShould
{
    [Fact]
    public async Task Deliver_an_image_message_to_the_other_party_with_its_dimensions_and_keep_it_in_history()
    {
        var deal = await NewDealAsync();
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", deal.Buyer));
        await using var seller = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", deal.Seller));
        await buyer.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        await seller.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, CorpusFiles.Read("photo_gps.jpg"), "IMG_2041.jpg");
        var clientId = Guid.NewGuid();

        var sent = await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, clientId, upload.Id, "The parcel\u0007 as it arrived");

        var received = await seller.Messages.Next(m => m.Id == clientId);
        Assert.Equal(ChatMessageKind.Image, received.Kind);
        Assert.Equal("The parcel as it arrived", received.Text);
        Assert.Equal(upload, received.Attachment);
        Assert.Equal((2056, 3088), (received.Attachment!.Width!.Value, received.Attachment.Height!.Value));
        Assert.True(received.Attachment.MetadataRemoved);
        Assert.Equal(sent, received);
        Assert.Equal(sent, await buyer.Messages.Next(m => m.Id == clientId));

        var history = await seller.Invoke<ChatHistoryPage>("History", deal.ConversationId, null, null, 10);
        Assert.Equal(upload, Assert.Single(history.Messages, m => m.Id == clientId).Attachment);
        var snapshot = await seller.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        Assert.Equal(upload, Assert.Single(snapshot.Messages, m => m.Id == clientId).Attachment);
        using var download = await DownloadAsync(deal.Seller, upload.Id);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);

        var edited = await buyer.Invoke<ChatMessage>("Edit", deal.ConversationId, clientId, "The parcel, opened");
        Assert.Equal(upload, edited.Attachment);
        Assert.Equal(upload, (await seller.Changes.Next(m => m.Id == clientId)).Attachment);
    }

    [Fact]
    public async Task Deliver_a_file_message_through_the_dispute_hub()
    {
        var deal = await NewDealAsync();
        var dispute = await OpenDisputeAsync(deal, "Open");
        await using var seller = await ChatClientProbe.ConnectAsync(_host.Connect("disputes", deal.Seller));
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("disputes", deal.Buyer));
        await seller.Invoke<ChatSnapshot>("Join", "d-" + deal.TransactionId);
        await buyer.Invoke<ChatSnapshot>("Join", "d-" + deal.TransactionId);
        var upload = await UploadAcceptedAsync(deal.Seller, dispute, CorpusFiles.Read("budget.xlsx"), "tracking.xlsx");

        var sent = await seller.Invoke<ChatMessage>("SendAttachment", dispute, Guid.NewGuid(), upload.Id, null);

        var received = await buyer.Messages.Next(m => m.Id == sent.Id);
        Assert.Equal((ChatMessageKind.File, ParticipantRole.Seller, ""), (received.Kind, received.SenderRole!.Value, received.Text));
        Assert.Equal(upload, received.Attachment);
        Assert.Null(received.Attachment!.Width);
        Assert.Equal(AttachmentKind.File, received.Attachment.Kind);
    }

    [Fact]
    public async Task Refuse_to_send_an_upload_as_anyone_but_its_uploader_or_in_another_conversation()
    {
        var deal = await NewDealAsync();
        var otherTransaction = "tx-" + Guid.NewGuid().ToString("N")[..10];
        _host.Parties.Transactions[otherTransaction] = new TransactionParties(deal.Buyer, "seller-" + otherTransaction);
        var otherConversation = (await _host.Lifecycle(l => l.RegisterTransactionAsync(otherTransaction))).Conversation.Id;
        await _host.Lifecycle(l => l.ConfirmPaymentAsync(otherTransaction));
        var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, CorpusFiles.Read("diagram.png"), "diagram.png");
        await using var seller = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", deal.Seller));
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", deal.Buyer));
        await seller.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        await buyer.Invoke<ChatSnapshot>("Join", deal.TransactionId);

        Assert.Equal("AttachmentNotAvailable", await seller.Refusal("SendAttachment", deal.ConversationId, Guid.NewGuid(), upload.Id, null));
        Assert.Equal("AttachmentNotAvailable", await buyer.Refusal("SendAttachment", deal.ConversationId, Guid.NewGuid(), Guid.NewGuid(), null));
        await using var messaging = _host.Services.CreateAsyncScope();
        var refusal = await Assert.ThrowsAsync<ChatException>(() => messaging.ServiceProvider.GetRequiredService<IChatMessaging>()
            .SendAttachmentAsync(new ChatUser(deal.Buyer), otherConversation, Guid.NewGuid(), upload.Id, null));
        Assert.Equal(ChatErrorCode.AttachmentNotAvailable, refusal.Code);

        var history = await seller.Invoke<ChatHistoryPage>("History", deal.ConversationId, null, null, 50);
        Assert.DoesNotContain(history.Messages, m => m.AttachmentId == upload.Id);
        var sent = await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, Guid.NewGuid(), upload.Id, null);
        Assert.Equal(upload.Id, sent.AttachmentId);
    }

    [Fact]
    public async Task Let_an_upload_be_sent_once_and_a_retry_return_the_stored_message()
    {
        var deal = await NewDealAsync();
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", deal.Buyer));
        await buyer.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, CorpusFiles.Read("lettre_fr.txt"), "lettre.txt");
        var clientId = Guid.NewGuid();

        var first = await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, clientId, upload.Id, "v1");
        var retry = await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, clientId, upload.Id, "v1");

        Assert.Equal(first, retry);
        Assert.Equal("AttachmentAlreadyUsed", await buyer.Refusal("SendAttachment", deal.ConversationId, Guid.NewGuid(), upload.Id, "again"));
        Assert.Equal(1, await CountMessagesReferencingAsync(upload.Id));
    }

    [Fact]
    public async Task Let_only_one_of_several_racing_sends_reference_an_upload()
    {
        var deal = await NewDealAsync();
        for (var round = 0; round < 5; round++)
        {
            var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, "race"u8.ToArray(), "race.txt");
            using var start = new SemaphoreSlim(0);
            var sends = Enumerable.Range(0, 4).Select(async _ =>
            {
                await using var scope = _host.Services.CreateAsyncScope();
                var messaging = scope.ServiceProvider.GetRequiredService<IChatMessaging>();
                await start.WaitAsync();
                try
                {
                    await messaging.SendAttachmentAsync(new ChatUser(deal.Buyer), deal.ConversationId, Guid.NewGuid(), upload.Id, null);
                    return "ok";
                }
                catch (ChatException refusal)
                {
                    return refusal.Code.ToString();
                }
            }).ToList();
            start.Release(sends.Count);

            var outcomes = await Task.WhenAll(sends).WaitAsync(ChatClientProbe.Timeout);

            Assert.Equal(new[] { "AttachmentAlreadyUsed", "AttachmentAlreadyUsed", "AttachmentAlreadyUsed", "ok" }, outcomes.Order().ToArray());
            Assert.Equal(1, await CountMessagesReferencingAsync(upload.Id));
        }

        await using var verify = _host.Services.CreateAsyncScope();
        var chain = await verify.ServiceProvider.GetRequiredService<IChatMessaging>().VerifyChainAsync(new ChatUser(deal.Buyer), deal.ConversationId);
        Assert.True(chain.IsIntact);
    }

    [Fact]
    public async Task Cover_the_attachment_hash_with_the_message_hash_chain()
    {
        var deal = await NewDealAsync();
        var upload = await UploadAndSendAsync(deal, deal.Buyer, "cat.gif");
        await using var scope = _host.Services.CreateAsyncScope();
        var messaging = scope.ServiceProvider.GetRequiredService<IChatMessaging>();
        Assert.True((await messaging.VerifyChainAsync(new ChatUser(deal.Seller), deal.ConversationId)).IsIntact);

        // Swap the recorded attachment hash, as someone replacing the evidence in the database would have to.
        var db = scope.ServiceProvider.GetRequiredService<ChatTestDbContext>();
        var message = await db.Set<EntryRecord>().SingleAsync(m => m.AttachmentId == upload.Id);
        await db.Set<EntryRecord>().Where(m => m.Id == message.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AttachmentSha256, new string('0', 64)));

        var verification = await messaging.VerifyChainAsync(new ChatUser(deal.Seller), deal.ConversationId);
        Assert.False(verification.IsIntact);
        Assert.Equal(message.Sequence, verification.FirstBrokenSequence);
        Assert.Equal(ChainDamage.ContentChanged, verification.Damage);
    }

    [Fact]
    public async Task Remove_unsent_uploads_after_their_lifetime_and_keep_sent_ones()
    {
        // A host of its own: the sweep looks at every upload in the database.
        var (host, root) = await StartHostAsync("attachment_sweep");
        await using var _ = host;
        var deal = await NewDealAsync(host);
        var sent = await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, CorpusFiles.Read("diagram.png"), "diagram.png");
        var unsent = await UploadAcceptedAsync(host, deal.Buyer, deal.ConversationId, CorpusFiles.Read("cat.gif"), "cat.gif");
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", deal.Buyer));
        await buyer.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, Guid.NewGuid(), sent.Id, null);
        var rows = (await RowsAsync(host, deal.ConversationId)).ToDictionary(a => a.Id);
        var lifetime = host.Services.GetRequiredService<IOptions<ChatOptions>>().Value.Attachments.UnreferencedUploadLifetime;

        Assert.Equal(0, await SweepAsync(host, DateTimeOffset.UtcNow));
        Assert.Equal(2, (await RowsAsync(host, deal.ConversationId)).Count);

        Assert.Equal(1, await SweepAsync(host, DateTimeOffset.UtcNow + lifetime + TimeSpan.FromMinutes(1)));

        Assert.Equal(sent.Id, Assert.Single(await RowsAsync(host, deal.ConversationId)).Id);
        Assert.True(File.Exists(Path.Combine(root, rows[sent.Id].StorageKey)));
        Assert.True(File.Exists(Path.Combine(root, rows[sent.Id].PreviewKey!)));
        Assert.False(File.Exists(Path.Combine(root, rows[unsent.Id].StorageKey)));
        Assert.False(File.Exists(Path.Combine(root, rows[unsent.Id].PreviewKey!)));
        Assert.Equal(2, StoredFiles(root).Count); // the sent image and its preview
        Assert.Equal("AttachmentNotAvailable", await buyer.Refusal("SendAttachment", deal.ConversationId, Guid.NewGuid(), unsent.Id, null));
        using var seller = host.Http(deal.Seller);
        using var kept = await seller.GetAsync($"/chat/attachments/{sent.Id}");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        using var uploader = host.Http(deal.Buyer);
        using var gone = await uploader.GetAsync($"/chat/attachments/{unsent.Id}");
        Assert.Equal((HttpStatusCode.NotFound, "AttachmentNotAvailable"), await ProblemOf(gone));
    }

    private static async Task<int> SweepAsync(ChatTestHost host, DateTimeOffset now)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AttachmentSweeper>().SweepAsync(now, CancellationToken.None).WaitAsync(ChatClientProbe.Timeout);
    }

    private async Task<int> CountMessagesReferencingAsync(Guid attachmentId)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChatTestDbContext>().Set<EntryRecord>().CountAsync(m => m.AttachmentId == attachmentId);
    }
}

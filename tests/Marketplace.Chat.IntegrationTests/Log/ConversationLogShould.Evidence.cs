using System.Text.Json;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Log;

public sealed partial class ConversationLogShould
{
    [Fact]
    public async Task Show_the_admin_what_a_party_edited_and_deleted_before_the_dispute_with_times()
    {
        var deal = await DealWithEveryKindOfEntryAsync();
        var admin = new ChatUser("admin-evidence", IsAdmin: true);

        var evidence = await _chat.Messaging(m => m.GetEvidenceAsync(admin, deal.ChatId));

        Assert.True(evidence.Verification.IsIntact);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), evidence.Entries.Select(e => e.Sequence));
        var policy = evidence.Entries.Single(e => e.Id == deal.Policy.Id);
        Assert.Equal(("No refunds, ever.", "Happy to discuss a refund."), (policy.Text, policy.CurrentText));
        var edit = evidence.Entries.Single(e => e.Kind == ChatMessageKind.Edit);
        Assert.Equal((deal.Policy.Id, 3L, "Happy to discuss a refund."), (edit.TargetId!.Value, edit.TargetSequence!.Value, edit.Text));
        Assert.Equal(edit.CreatedAt, policy.EditedAt);
        var admission = evidence.Entries.Single(e => e.Id == deal.Admission.Id);
        Assert.Equal("It was already cracked when I shipped it.", admission.Text);
        Assert.Null(admission.CurrentText);
        var deletion = evidence.Entries.Single(e => e.Kind == ChatMessageKind.Deletion);
        Assert.Equal((deal.Admission.Id, 5L, (string?)null), (deletion.TargetId!.Value, deletion.TargetSequence!.Value, deletion.Text));
        Assert.Equal(deletion.CreatedAt, admission.DeletedAt);
        Assert.Equal((ParticipantRole.Seller, deal.Seller.UserId), (deletion.SenderRole!.Value, deletion.SenderId));
        var photo = evidence.Entries.Single(e => e.Kind == ChatMessageKind.Image);
        Assert.Equal(photo.AttachmentSha256, photo.Attachment!.Sha256);
        Assert.All(evidence.Entries, e => Assert.Equal(Support.TestLogKeys.CurrentId, e.KeyId));
    }

    [Fact]
    public async Task Show_the_admin_the_dispute_chat_as_written_too()
    {
        var deal = await DealWithEveryKindOfEntryAsync();
        var admin = new ChatUser("admin-dispute", IsAdmin: true);
        await _chat.Messaging(m => m.SendTextAsync(admin, deal.DisputeId, Guid.NewGuid(), "Please both send photos."));

        var evidence = await _chat.Messaging(m => m.GetEvidenceAsync(admin, deal.DisputeId));

        Assert.Equal(["DisputeOpened", "AdminJoined", null], evidence.Entries.Select(e => e.SystemCode));
        Assert.True(evidence.Verification.IsIntact);
    }

    [Fact]
    public async Task Keep_originals_of_edited_and_deleted_messages_from_the_other_party_and_from_outsiders()
    {
        var deal = await DealWithEveryKindOfEntryAsync();
        var outsider = new ChatUser("someone-else");
        var adminBeforeAnyDispute = new ChatUser("admin-early", IsAdmin: true);
        var (_, undisputed, _, _) = await _chat.NewTransactionAsync(paid: true);

        foreach (var (user, conversation) in new[]
                 {
                     (deal.Buyer, deal.ChatId), (deal.Seller, deal.ChatId), (deal.Buyer, deal.DisputeId), (outsider, deal.ChatId),
                     (adminBeforeAnyDispute, undisputed.Id),
                 })
        {
            var refused = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.GetEvidenceAsync(user, conversation)));
            Assert.Equal((ChatErrorCode.ConversationNotAvailable, Access.ChatAccessPolicy.NotAvailableReason), (refused.Code, refused.Message));
        }

        var history = await _chat.Messaging(m => m.GetHistoryAsync(deal.Buyer, deal.ChatId, new HistoryQuery(Limit: 100)));
        var seen = JsonSerializer.Serialize(history);
        Assert.DoesNotContain("No refunds, ever.", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("already cracked", seen, StringComparison.Ordinal);
        Assert.Equal("Happy to discuss a refund.", history.Messages.Single(m => m.Id == deal.Policy.Id).Text);
        var admission = history.Messages.Single(m => m.Id == deal.Admission.Id);
        Assert.True(admission.IsDeleted);
        Assert.Null(admission.Text);
        var view = await _chat.Messaging(m => m.GetViewAsync(deal.Buyer, deal.ChatId));
        Assert.False(view.Permissions[Access.ChatAction.ReadEvidence].Allowed);
    }

    [Fact]
    public async Task Let_the_admin_open_a_deleted_photo_as_evidence_while_the_parties_cannot()
    {
        var (id, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
        ChatAttachmentInfo upload;
        await using (var scope = _chat.Scope())
        {
            upload = await scope.ServiceProvider.GetRequiredService<AttachmentService>()
                .StoreAsync(seller, chat.Id, "cat.gif", new MemoryStream(CorpusFiles.Read("cat.gif")), CancellationToken.None);
        }

        var photo = await _chat.Messaging(m => m.SendAttachmentAsync(seller, chat.Id, Guid.NewGuid(), upload.Id, "as shipped"));
        var caption = await Send(seller, chat.Id, "see the photo");
        await _chat.Messaging(m => m.EditAsync(seller, chat.Id, caption.Id, "see the (other) photo"));
        await _chat.Messaging(m => m.DeleteAsync(seller, chat.Id, caption.Id));
        await _chat.Messaging(m => m.DeleteAsync(seller, chat.Id, photo.Id));
        await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
        var admin = new ChatUser("admin-photo", IsAdmin: true);

        await using (var scope = _chat.Scope())
        {
            var attachments = scope.ServiceProvider.GetRequiredService<AttachmentService>();
            await using var opened = (await attachments.OpenAsync(admin, upload.Id, preview: false, CancellationToken.None)).Content;
            Assert.Equal(upload.Length, opened.Length);
            foreach (var party in new[] { buyer, seller })
            {
                var refused = await Assert.ThrowsAsync<ChatException>(() => attachments.OpenAsync(party, upload.Id, preview: false, CancellationToken.None));
                Assert.Equal(ChatErrorCode.AttachmentNotAvailable, refused.Code);
            }
        }

        var evidence = await _chat.Messaging(m => m.GetEvidenceAsync(admin, chat.Id));
        Assert.Equal(upload.Sha256, evidence.Entries.Single(e => e.Id == photo.Id).Attachment!.Sha256);
        var history = await _chat.Messaging(m => m.GetHistoryAsync(buyer, chat.Id, new HistoryQuery(AfterSequence: 0)));
        Assert.Null(history.Messages.Single(m => m.Id == photo.Id).Attachment);
        var edit = history.Messages.Single(m => m.Kind == ChatMessageKind.Edit);
        Assert.Equal((caption.Id, (string?)null), (edit.TargetId!.Value, edit.Text));
        Assert.DoesNotContain("other", JsonSerializer.Serialize(history), StringComparison.Ordinal);
    }
}

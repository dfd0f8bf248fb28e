using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Log;

/// <summary>The append-only conversation log on PostgreSQL: its chain under tampering, the evidence view, host notices.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ConversationLogShould(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), $"mpchat-log-{Guid.NewGuid():N}");
    private ChatHarness _chat = null!;

    public async Task InitializeAsync() => _chat = await ChatHarness.StartAsync(
        postgres, o => o.Attachments.StorageRoot = _storage, nameof(ConversationLogShould));

    public async Task DisposeAsync()
    {
        await _chat.DisposeAsync();
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }

    /// <summary>
    /// A transaction chat with every kind of entry, as the story in the issue goes: the seller edits "No refunds, ever."
    /// and deletes an admission, then the buyer opens a dispute.
    /// </summary>
    private async Task<Deal> DealWithEveryKindOfEntryAsync()
    {
        var (id, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);              // 1 Registered, 2 PaymentConfirmed
        var policy = await Send(seller, chat.Id, "No refunds, ever.");                             // 3
        var complaint = await Send(buyer, chat.Id, "The screen arrived cracked.");                 // 4
        var admission = await Send(seller, chat.Id, "It was already cracked when I shipped it."); // 5
        ChatMessage photo;                                                                         // 6
        await using (var scope = _chat.Scope())
        {
            var upload = await scope.ServiceProvider.GetRequiredService<AttachmentService>()
                .StoreAsync(buyer, chat.Id, "cat.gif", new MemoryStream(CorpusFiles.Read("cat.gif")), CancellationToken.None);
            photo = await scope.ServiceProvider.GetRequiredService<IChatMessaging>()
                .SendAttachmentAsync(buyer, chat.Id, Guid.NewGuid(), upload.Id, "the crack");
        }

        await _chat.Messaging(m => m.EditAsync(seller, chat.Id, policy.Id, "Happy to discuss a refund."));    // 7
        await _chat.Messaging(m => m.DeleteAsync(seller, chat.Id, admission.Id));                             // 8
        await Send(buyer, chat.Id, "I am opening a dispute.");                                                // 9
        var dispute = await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id, new ChatEventContext(buyer.UserId))); // 10
        return new Deal(id, chat.Id, dispute.Conversation.Id, buyer, seller, policy, complaint, admission, photo);
    }

    private Task<ChatMessage> Send(ChatUser user, Guid conversationId, string text) =>
        _chat.Messaging(m => m.SendTextAsync(user, conversationId, Guid.NewGuid(), text));

    private Task<ChainVerification> VerifyAsync(Deal deal) => _chat.Messaging(m => m.VerifyChainAsync(deal.Buyer, deal.ChatId));

    private Task<int> Sql(FormattableString sql) => _chat.Db(db => db.Database.ExecuteSqlAsync(sql));

    private sealed record Deal(
        string TransactionId,
        Guid ChatId,
        Guid DisputeId,
        ChatUser Buyer,
        ChatUser Seller,
        ChatMessage Policy,
        ChatMessage Complaint,
        ChatMessage Admission,
        ChatMessage Photo)
    {
        public string DisputeKey => "d-" + TransactionId;
    }
}

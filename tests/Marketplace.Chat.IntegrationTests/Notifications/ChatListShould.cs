using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Notifications;

[Collection(PostgresCollection.Name)]
public sealed class ChatListShould(PostgresFixture postgres) : IAsyncLifetime
{
    private ChatHarness _chat = null!;

    public async Task InitializeAsync() => _chat = await ChatHarness.StartAsync(postgres, name: "chatlist");

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Fact]
    public async Task List_every_conversation_with_unread_counts_and_previews_in_one_query()
    {
        var buyer = new ChatUser("list-buyer");
        var chats = new List<ChatConversationInfo>();
        for (var i = 0; i < 5; i++)
        {
            var id = $"tx-list-{i}";
            _chat.Parties.Transactions[id] = new TransactionParties(buyer.UserId, $"seller-{i}");
            await _chat.Lifecycle(l => l.RegisterTransactionAsync(id));
            chats.Add((await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id))).Conversation);
            for (var m = 0; m < i; m++)
            {
                await _chat.Messaging(s => s.SendTextAsync(new ChatUser($"seller-{i}"), chats[i].Id, Guid.NewGuid(), $"offer {i}.{m}"));
            }
        }

        _chat.Clock.Advance(TimeSpan.FromSeconds(5));
        await _chat.Messaging(s => s.SendTextAsync(buyer, chats[0].Id, Guid.NewGuid(), "my own words do not count as unread"));
        await _chat.Messaging(s => s.MarkReadAsync(buyer, chats[4].Id, chats[4].LastSequence + 2));

        _chat.Commands.Reset();
        var list = await _chat.Messaging(s => s.ListConversationsAsync(buyer));
        var commands = _chat.Commands.Count;

        Assert.Equal(1, commands);
        Assert.Equal(5, list.Count);
        var byId = list.ToDictionary(i => i.TransactionId);
        Assert.Equal(0, byId["tx-list-0"].UnreadCount);
        Assert.Equal("my own words do not count as unread", byId["tx-list-0"].LastMessagePreview);
        Assert.Equal(2 + 3, byId["tx-list-3"].UnreadCount); // two announcements (registered, paid) and three offers
        Assert.Equal("offer 3.2", byId["tx-list-3"].LastMessagePreview);
        Assert.Equal(2, byId["tx-list-4"].UnreadCount);
        Assert.All(list, i => Assert.Equal(ParticipantRole.Buyer, i.Role));
        Assert.Equal(ChatMessageKind.Text, byId["tx-list-2"].LastMessageKind);
        Assert.Equal("tx-list-0", list[0].TransactionId);
    }
}

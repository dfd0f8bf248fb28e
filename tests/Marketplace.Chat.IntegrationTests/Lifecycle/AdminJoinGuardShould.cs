using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Lifecycle;

[Collection(PostgresCollection.Name)]
public sealed class AdminJoinGuardShould(PostgresFixture postgres)
{
    [Fact]
    public async Task Let_the_machine_guard_refuse_a_non_administrator_joining_an_open_dispute()
    {
        await using var chat = await ChatHarness.StartAsync(postgres, name: "adminguard");
        var (transactionId, _, _, _) = await chat.NewTransactionAsync(paid: true);
        var dispute = (await chat.Lifecycle(l => l.OpenDisputeAsync(transactionId, "d-" + transactionId))).Conversation;

        async Task<bool> Join(ChatUser user)
        {
            await using var scope = chat.Scope();
            return await scope.ServiceProvider.GetRequiredService<ChatLifecycleService>().JoinAsAdminAsync(dispute.Id, user, CancellationToken.None);
        }

        Assert.False(await Join(new ChatUser("not-an-admin")));
        var afterRefusal = await chat.Db(db => db.Set<ConversationRecord>().AsNoTracking().SingleAsync(c => c.Id == dispute.Id));
        Assert.Equal(ChatState.Open, afterRefusal.State);
        Assert.False(await chat.Db(db => db.Set<ParticipantRecord>().AnyAsync(p => p.ConversationId == dispute.Id && p.UserId == "not-an-admin")));

        Assert.True(await Join(new ChatUser("real-admin", IsAdmin: true)));
        Assert.Equal(ChatState.UnderReview, (await chat.Db(db => db.Set<ConversationRecord>().AsNoTracking().SingleAsync(c => c.Id == dispute.Id))).State);
        Assert.False(await Join(new ChatUser("late-non-admin")));
    }
}

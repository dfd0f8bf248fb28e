using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketplace.Chat.IntegrationTests.Log;

/// <summary>
/// The sample's ConversationLog migration on a database written by the earlier storage (messages + revisions): rows are
/// carried into the log, and the library re-anchors each carried log once with the host's key, recording it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CarriedOverLogsShould(PostgresFixture postgres)
{
    private const string EarlierSchema = "20250601000100_ChatTables";
    private static readonly DateTimeOffset At = new(2026, 5, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Carry_messages_edits_and_deletions_into_the_log_and_re_anchor_them_once_with_the_key()
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(CarriedOverLogsShould));
        await using (var db = Context(connectionString))
        {
            await db.GetService<IMigrator>().MigrateAsync(EarlierSchema);
        }

        var intact = Guid.NewGuid();
        var altered = Guid.NewGuid();
        await WriteEarlierConversationAsync(connectionString, intact, "tx-intact", alterAfterHashing: false);
        await WriteEarlierConversationAsync(connectionString, altered, "tx-altered", alterAfterHashing: true);
        await using (var db = Context(connectionString))
        {
            await db.Database.MigrateAsync();
        }

        using var host = BuildHost(connectionString);
        var carried = await Query(host, db => db.Set<EntryRecord>().Where(e => e.ConversationId == intact).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(
            [(1L, ChatMessageKind.System, "The chat unlocks when payment is confirmed."), (2L, ChatMessageKind.System, "Payment confirmed."),
             (3L, ChatMessageKind.Text, "I offer 500 EUR"), (4L, ChatMessageKind.Text, "never mind"),
             (5L, ChatMessageKind.Edit, "I offer 50 EUR"), (6L, ChatMessageKind.Deletion, null)],
            carried.Select(e => (e.Sequence, e.Kind, e.Text)));
        Assert.Equal((3L, 4L), (carried[4].TargetSequence!.Value, carried[5].TargetSequence!.Value));
        Assert.All(carried, e => Assert.Equal(ConversationLogAnchor.CarriedOverKeyId, e.KeyId));

        await host.StartAsync();
        await host.StopAsync();

        var buyer = new ChatUser("buyer-tx-intact");
        var verification = await Messaging(host, m => m.VerifyChainAsync(buyer, intact));
        Assert.True(verification.IsIntact);
        Assert.Equal(7, verification.MessageCount);
        Assert.Equal([TestLogKeys.CurrentId], verification.KeyIds);
        var history = await Messaging(host, m => m.GetHistoryAsync(buyer, intact, new HistoryQuery(AfterSequence: 0)));
        var anchor = history.Messages[^1];
        Assert.Equal((ChatMessageKind.System, ConversationLogAnchor.ReanchoredCode), (anchor.Kind, anchor.SystemCode));
        Assert.Contains("6 entries; the earlier chain matched", anchor.Text, StringComparison.Ordinal);
        Assert.Contains(TestLogKeys.CurrentId, anchor.Text, StringComparison.Ordinal);
        Assert.Equal(("I offer 50 EUR", true), (history.Messages[2].Text, history.Messages[2].EditedAt is not null));
        Assert.True(history.Messages[3].IsDeleted);
        var alteredAnchor = (await Messaging(host, m => m.GetHistoryAsync(new ChatUser("buyer-tx-altered"), altered, new HistoryQuery()))).Messages[0];
        Assert.Contains("the earlier chain did not match from entry 3", alteredAnchor.Text, StringComparison.Ordinal);

        var sent = await Messaging(host, m => m.SendTextAsync(buyer, intact, Guid.NewGuid(), "after the upgrade"));
        Assert.Equal(8, sent.Sequence);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<ConversationLogAnchor>().AnchorAllAsync(CancellationToken.None));
        }

        Assert.True((await Messaging(host, m => m.VerifyChainAsync(buyer, intact))).IsIntact);
        foreach (var change in new[]
                 {
                     $"UPDATE chat.chat_entries SET \"Text\" = 'I offer 5 EUR' WHERE \"ConversationId\" = '{intact}' AND \"Sequence\" = 3",
                     $"UPDATE chat.chat_entries SET \"Hash\" = repeat('0', 64) WHERE \"ConversationId\" = '{intact}' AND \"Sequence\" = 8",
                     $"DELETE FROM chat.chat_entries WHERE \"ConversationId\" = '{intact}' AND \"Sequence\" = 8",
                 })
        {
            var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Query(host, db => db.Database.ExecuteSqlRawAsync(change)));
            Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        }

        Assert.Equal(1, await Query(host, db => db.Set<EntryRecord>().CountAsync(e => e.ConversationId == intact && e.SystemCode == ConversationLogAnchor.ReanchoredCode)));
    }

    private static SampleDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<SampleDbContext>().UseNpgsql(connectionString).Options);

    private static IHost BuildHost(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Services.AddDbContext<SampleDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddMarketplaceChat()
            .AddEntityFrameworkStores<SampleDbContext>()
            .AddTransactionPartyResolver<TestParties>()
            .AddLogKey(TestLogKeys.CurrentId, TestLogKeys.Current);
        builder.Services.AddSingleton<TestParties>();
        builder.Services.Configure<ChatOptions>(o => o.EditWindow = TimeSpan.FromDays(3650));
        return builder.Build();
    }

    private static async Task<T> Messaging<T>(IHost host, Func<IChatMessaging, Task<T>> call)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<IChatMessaging>());
    }

    private static async Task<T> Query<T>(IHost host, Func<SampleDbContext, Task<T>> query)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<SampleDbContext>());
    }

    /// <summary>
    /// Writes what the earlier storage held: two announcements, an edited message (its original in a revision), a
    /// deleted one, linked by the earlier unkeyed SHA-256 chain. Optionally alters a text afterwards, as tampering would.
    /// </summary>
    private static async Task WriteEarlierConversationAsync(string connectionString, Guid id, string transactionId, bool alterAfterHashing)
    {
        var (buyer, seller) = ("buyer-" + transactionId, "seller-" + transactionId);
        var messages = new (Guid Id, long Sequence, string Kind, string? Sender, string? Role, string Original, string? Code, DateTimeOffset At)[]
        {
            (Guid.NewGuid(), 1, "System", null, null, "The chat unlocks when payment is confirmed.", "Registered", At),
            (Guid.NewGuid(), 2, "System", null, null, "Payment confirmed.", "PaymentConfirmed", At.AddMinutes(1)),
            (Guid.NewGuid(), 3, "Text", buyer, "Buyer", "I offer 500 EUR", null, At.AddMinutes(2)),
            (Guid.NewGuid(), 4, "Text", seller, "Seller", "never mind", null, At.AddMinutes(3)),
        };
        await using var db = Context(connectionString);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO chat.chat_conversations ("Id", "Key", "Kind", "TransactionId", "State", "BuyerId", "SellerId", "LastSequence", "Version", "HasDispute", "CreatedAt", "UpdatedAt")
            VALUES ({id}, {"tx:" + transactionId}, 'Transaction', {transactionId}, 'Open', {buyer}, {seller}, 4, 2, false, {At}, {At})
            """);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO chat.chat_participants ("ConversationId", "UserId", "Role", "LastReadSequence", "JoinedAt")
            VALUES ({id}, {buyer}, 'Buyer', 0, {At}), ({id}, {seller}, 'Seller', 0, {At})
            """);
        var previous = new string('0', 64);
        foreach (var m in messages)
        {
            var hash = EarlierHash(previous, id, m.Sequence, m.Kind, m.Sender, m.At, m.Original);
            previous = hash;
            var current = m.Sequence == 3 ? "I offer 50 EUR" : m.Original;
            var editedAt = m.Sequence == 3 ? At.AddMinutes(4) : (DateTimeOffset?)null;
            var deletedAt = m.Sequence == 4 ? At.AddMinutes(5) : (DateTimeOffset?)null;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO chat.chat_messages ("Id", "ConversationId", "Sequence", "Kind", "SenderId", "SenderRole", "Text", "SystemCode", "SentAt", "EditedAt", "DeletedAt", "Hash")
                VALUES ({m.Id}, {id}, {m.Sequence}, {m.Kind}, {m.Sender}, {m.Role}, {current}, {m.Code}, {m.At}, {editedAt}, {deletedAt}, {hash})
                """);
        }

        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO chat.chat_message_revisions ("MessageId", "Text", "ReplacedAt") VALUES ({messages[2].Id}, 'I offer 500 EUR', {At.AddMinutes(4)})
            """);
        if (alterAfterHashing)
        {
            await db.Database.ExecuteSqlAsync($"UPDATE chat.chat_message_revisions SET \"Text\" = 'I offer 5000 EUR' WHERE \"MessageId\" = {messages[2].Id}");
        }
    }

    /// <summary>The earlier storage's chain link, written out independently of the library: SHA-256 over length-prefixed fields.</summary>
    private static string EarlierHash(string previous, Guid conversationId, long sequence, string kind, string? sender, DateTimeOffset at, string text)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var field in new[] { previous, conversationId.ToString("N"), sequence.ToString(CultureInfo.InvariantCulture), kind, sender ?? "", at.UtcTicks.ToString(CultureInfo.InvariantCulture), text, "" })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            sha.AppendData(length);
            sha.AppendData(bytes);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

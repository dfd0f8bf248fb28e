using System.Diagnostics;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Redis;

/// <summary>Two chat nodes in child processes behind one redis-server and one database; one of them is killed with SIGKILL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class NodeFailoverShould(PostgresFixture postgres, RedisFixture redis, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<RedisFixture>
{
    private const int HeartbeatMs = 300;

    /// <summary>EntryLifetime (3 heartbeats) + one heartbeat, as <c>ChatRedisOptions.PresenceOfflineBound</c> states.</summary>
    private static readonly TimeSpan OfflineBound = TimeSpan.FromMilliseconds(HeartbeatMs * 4);

    [Fact]
    public async Task Turn_a_killed_nodes_users_offline_within_the_bound_and_lose_nothing_when_its_clients_move_to_another_node()
    {
        var database = await postgres.CreateDatabaseAsync("failover");
        await using var a = await ChatNodeProcess.StartAsync(database, redis.Server.ConnectionString, HeartbeatMs);
        await a.SetupAsync(0, 1);
        await using var b = await ChatNodeProcess.StartAsync(database, redis.Server.ConnectionString, HeartbeatMs);
        var buyer = await ChatClientProbe.ConnectAsync(a.Connect("b0"));
        await using var seller = await ChatClientProbe.ConnectAsync(b.Connect("s0"));
        var conversation = (await buyer.Invoke<ChatSnapshot>("Join", "tx0")).ConversationId;
        Assert.Contains("b0", (await seller.Invoke<ChatSnapshot>("Join", "tx0")).Online);

        var acknowledged = new List<ChatMessage>();
        for (var i = 0; i < 10; i++)
        {
            acknowledged.Add(await buyer.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), $"before the crash {i}"));
        }

        // A send in flight when the node dies: acknowledged or not, its retry on the other node must store it once.
        var inFlight = Guid.NewGuid();
        var pending = buyer.Invoke<ChatMessage>("Send", conversation, inFlight, "in flight");
        await a.KillAsync();
        var killed = Stopwatch.StartNew();
        var offline = await seller.Presence.Next(p => p.UserId == "b0" && !p.IsOnline, TimeSpan.FromSeconds(15));
        var tookOffline = killed.Elapsed;
        output.WriteLine($"offline for the others {tookOffline.TotalMilliseconds:F0} ms after the kill (bound {OfflineBound.TotalMilliseconds:F0} ms)");
        await Task.WhenAny(pending).WaitAsync(ChatClientProbe.Timeout);
        await buyer.DisposeAsync();

        var whileAway = new List<ChatMessage>();
        for (var i = 0; i < 3; i++)
        {
            whileAway.Add(await seller.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), $"while the buyer is away {i}"));
        }

        await using var moved = await ChatClientProbe.ConnectAsync(b.Connect("b0"));
        var snapshot = await moved.Invoke<ChatSnapshot>("Join", "tx0");
        var retried = await moved.Invoke<ChatMessage>("Send", conversation, inFlight, "in flight");
        var seen = new Dictionary<long, ChatMessage>();
        foreach (var m in acknowledged.Concat(snapshot.Messages))
        {
            seen[m.Sequence] = m;
        }

        // Gap-fill from the last contiguous sequence the client holds, as the README's reconnect recipe does.
        var contiguous = 0L;
        while (seen.ContainsKey(contiguous + 1))
        {
            contiguous++;
        }

        ChatHistoryPage page;
        do
        {
            page = await moved.Invoke<ChatHistoryPage>("History", conversation, null, contiguous, 100);
            foreach (var m in page.Messages)
            {
                seen[m.Sequence] = m;
                contiguous = Math.Max(contiguous, m.Sequence);
            }
        }
        while (page.HasMore);

        Assert.True(tookOffline <= OfflineBound + TimeSpan.FromSeconds(2), $"Offline after {tookOffline}, bound {OfflineBound}.");
        Assert.False(offline.IsOnline);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen.Keys.Order());
        var texts = seen.Values.Where(m => m.Kind == ChatMessageKind.Text).ToList();
        Assert.Equal(texts.Count, texts.Select(m => m.Id).Distinct().Count());
        Assert.Single(texts, m => m.Id == inFlight);
        Assert.Equal(retried.Sequence, texts.Single(m => m.Id == inFlight).Sequence);
        Assert.All(acknowledged.Concat(whileAway), m => Assert.Contains(texts, t => t.Id == m.Id));
        Assert.Equal(acknowledged.Count + whileAway.Count + 1, texts.Count);
    }
}

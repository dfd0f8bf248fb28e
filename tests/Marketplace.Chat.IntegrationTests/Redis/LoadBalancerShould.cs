using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Redis;

/// <summary>Two nodes behind Debian's nginx, configured exactly as the README's recipe (docs/scale-out/nginx.conf.template).</summary>
[Collection(PostgresCollection.Name)]
public sealed class LoadBalancerShould(PostgresFixture postgres, RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Carry_a_conversation_between_two_nodes_through_nginx_and_keep_negotiating_clients_on_one_node()
    {
        var database = await postgres.CreateDatabaseAsync("nginx");
        var parties = new TestParties();
        await using var a = await NodeAsync(database, parties, createSchema: true);
        await using var b = await NodeAsync(database, parties, createSchema: false);
        await using var nginx = await NginxProxy.StartAsync([a.BaseUrl, b.BaseUrl]);
        parties.Transactions["tx-lb"] = new TransactionParties("b-lb", "s-lb");
        await a.Lifecycle(l => l.RegisterTransactionAsync("tx-lb"));
        await a.Lifecycle(l => l.ConfirmPaymentAsync("tx-lb"));

        // Clients that skip negotiation (WebSockets only): round-robin puts the buyer and the seller on different nodes.
        await using var buyer = await ChatClientProbe.ConnectAsync(Connect(nginx.Any, "b-lb"));
        await using var seller = await ChatClientProbe.ConnectAsync(Connect(nginx.Any, "s-lb"));
        var conversation = (await buyer.Invoke<ChatSnapshot>("Join", "tx-lb")).ConversationId;
        await seller.Invoke<ChatSnapshot>("Join", "tx-lb");
        Assert.Equal(1, ConnectionsOn(a));
        Assert.Equal(1, ConnectionsOn(b));

        var toSeller = await buyer.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), "through nginx, node to node");
        Assert.Equal(toSeller.Id, (await seller.Messages.Next(m => m.Id == toSeller.Id)).Id);
        var toBuyer = await seller.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), "and back");
        Assert.Equal(toBuyer.Id, (await buyer.Messages.Next(m => m.Id == toBuyer.Id)).Id);

        // Clients that negotiate: the sticky upstream sends the negotiate request and the connection to the same node;
        // without stickiness the connection meets a node that never issued its token.
        var sticky = new List<bool>();
        var roundRobin = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            sticky.Add(await NegotiateThenConnectAsync(nginx.Sticky, "b-lb"));
            roundRobin.Add(await NegotiateThenConnectAsync(nginx.Any, "b-lb"));
        }

        Assert.All(sticky, Assert.True);
        Assert.Contains(false, roundRobin);
    }

    private static int ConnectionsOn(ChatTestHost node) =>
        node.Services.GetRequiredService<LocalChatConnectionRegistry>().Snapshot().Sum(u => u.ConnectionIds.Length);

    private static Microsoft.AspNetCore.SignalR.Client.HubConnection Connect(Uri proxy, string user) =>
        TestHubConnection.Create(new Uri(proxy, "/chat/transactions?access_token=" + user), new WebSocketConnectionFactory(null), _ => { });

    /// <summary>Does what a negotiating client does: POST negotiate, then open the WebSocket with the token it got, and shake hands.</summary>
    private static async Task<bool> NegotiateThenConnectAsync(Uri proxy, string user)
    {
        using var http = new HttpClient { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user);
        var negotiated = await http.PostAsync(new Uri("/chat/transactions/negotiate?negotiateVersion=1", UriKind.Relative), null);
        negotiated.EnsureSuccessStatusCode();
        var token = (await negotiated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();
        using var socket = new ClientWebSocket();
        var url = new UriBuilder(proxy) { Scheme = "ws", Path = "/chat/transactions", Query = $"id={token}&access_token={user}" }.Uri;
        try
        {
            await socket.ConnectAsync(url, CancellationToken.None).WaitAsync(ChatClientProbe.Timeout);
        }
        catch (WebSocketException)
        {
            return false;
        }

        await socket.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None)
            .WaitAsync(ChatClientProbe.Timeout);
        var buffer = new byte[256];
        var read = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(ChatClientProbe.Timeout);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(ChatClientProbe.Timeout);
        return Encoding.UTF8.GetString(buffer, 0, read.Count) == "{}\u001e";
    }

    private Task<ChatTestHost> NodeAsync(string database, TestParties parties, bool createSchema) =>
        ChatTestHost.StartAsync(database, null, parties, createSchema, chat => chat.AddRedis(o =>
        {
            o.ConnectionString = redis.Server.ConnectionString;
            o.KeyPrefix = $"test:nginx:{Environment.ProcessId}:";
        }));
}

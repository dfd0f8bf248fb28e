using Marketplace.Chat.Hubs;
using Marketplace.Chat.Presence;

namespace Marketplace.Chat.Tests.Presence;

public class LocalChatPresenceShould
{
    private static readonly Guid First = Guid.NewGuid();
    private static readonly Guid Second = Guid.NewGuid();

    [Fact]
    public void Bring_a_user_online_with_their_first_connection_and_offline_with_their_last()
    {
        var presence = new LocalChatPresence();

        Assert.True(presence.Join(First, "c1", "buyer"));
        Assert.False(presence.Join(First, "c2", "buyer"));
        Assert.True(presence.Join(First, "c3", "seller"));
        Assert.Equal(["buyer", "seller"], presence.Online(First));

        Assert.False(presence.Leave(First, "c1"));
        Assert.True(presence.Leave(First, "c2"));
        Assert.False(presence.Leave(First, "c2"));
        Assert.Equal(["seller"], presence.Online(First));
        Assert.Equal("seller", presence.UserOf(First, "c3"));
        Assert.Null(presence.UserOf(First, "c1"));
    }

    [Fact]
    public void Report_what_a_closed_connection_took_offline_and_nothing_else()
    {
        var presence = new LocalChatPresence();
        presence.Join(First, "c1", "buyer");
        presence.Join(Second, "c1", "buyer");
        presence.Join(Second, "c2", "buyer");
        Assert.Equal(2, presence.ConnectionCount);
        Assert.Equal(2, presence.JoinedBy("c1").Count);

        var offline = presence.Disconnect("c1");

        Assert.Equal([(First, "buyer")], offline);
        Assert.Empty(presence.Online(First));
        Assert.Equal(["buyer"], presence.Online(Second));
        Assert.Empty(presence.JoinedBy("c1"));
        Assert.Equal(1, presence.ConnectionCount);
        Assert.Empty(presence.Disconnect("c1"));
        Assert.Equal([(Second, "c2", "buyer")], presence.Entries());
    }

    [Fact]
    public async Task Stay_consistent_under_concurrent_joins_leaves_and_reads()
    {
        var presence = new LocalChatPresence();
        var conversations = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToArray();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(
            () =>
            {
                for (var i = 0; i < 2_000; i++)
                {
                    var conversation = conversations[i % conversations.Length];
                    var connection = $"w{worker}-{i % 5}";
                    presence.Join(conversation, connection, $"user{worker}");
                    _ = presence.Online(conversation);
                    _ = presence.JoinedBy(connection);
                    if (i % 3 == 0)
                    {
                        presence.Leave(conversation, connection);
                    }
                }

                for (var c = 0; c < 5; c++)
                {
                    presence.Disconnect($"w{worker}-{c}");
                }
            },
            timeout.Token)));

        Assert.All(conversations, c => Assert.Empty(presence.Online(c)));
        Assert.Equal(0, presence.ConnectionCount);
        Assert.Empty(presence.Entries());
    }

    [Fact]
    public void Keep_a_connections_joined_conversations_once_each()
    {
        var joined = new JoinedConversations();

        joined.Add(First);
        joined.Add(First);
        joined.Add(Second);

        Assert.Equal(2, joined.Count);
        Assert.True(joined.Contains(First));
        Assert.True(joined.Remove(First));
        Assert.False(joined.Remove(First));
        Assert.False(joined.Contains(First));
        Assert.Equal(1, joined.Count);
    }
}

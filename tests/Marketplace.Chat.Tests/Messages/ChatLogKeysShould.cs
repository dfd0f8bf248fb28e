using Marketplace.Chat.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Tests.Messages;

public class ChatLogKeysShould
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Write_with_the_current_key_and_still_verify_with_retired_ones()
    {
        var keys = new ChatLogKeys([new("old", Enumerable.Repeat((byte)9, 32).ToArray(), false), new("new", Key, true)]);

        Assert.Equal("new", keys.CurrentId);
        Assert.Equal(Key, keys.Current.ToArray());
        Assert.Equal(["new", "old"], keys.Ids);
        Assert.True(keys.TryGet("old", out var old));
        Assert.Equal(32, old.Length);
        Assert.False(keys.TryGet("unknown", out _));
    }

    [Fact]
    public void Refuse_to_start_without_a_current_key_naming_the_call_that_adds_one()
    {
        var keys = new ChatLogKeys([new("old", Key, false)]);

        Assert.False(keys.HasCurrent);
        var error = Assert.Throws<InvalidOperationException>(() => keys.CurrentId);
        Assert.Contains(".AddLogKey(\"key-id\", keyBytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuse_two_current_keys_and_two_keys_under_one_id()
    {
        var twoCurrent = Assert.Throws<InvalidOperationException>(() => new ChatLogKeys([new("a", Key, true), new("b", Key, true)]));
        var sameId = Assert.Throws<InvalidOperationException>(() => new ChatLogKeys([new("a", Key, true), new("a", new byte[32], false)]));

        Assert.Contains("AddRetiredLogKey", twoCurrent.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", sameId.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 32)]
    [InlineData("has space", 32)]
    [InlineData("log-2026-01", 31)]
    public void Refuse_a_malformed_key_id_or_a_short_key_where_it_is_added(string keyId, int length)
    {
        var chat = new ServiceCollection().AddMarketplaceChat();

        var error = Assert.Throws<ArgumentException>(() => chat.AddLogKey(keyId, new byte[length]));

        Assert.Equal(length < 32 ? "key" : "keyId", error.ParamName);
    }
}

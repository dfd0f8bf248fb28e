using System.Security.Cryptography;
using System.Text;
using Marketplace.Chat.Notifications;

namespace Marketplace.Chat.Tests.Notifications;

public sealed class ChatWebhookSignatureShould
{
    private const string Secret = "whsec-0123456789abcdef";
    private const string Body = """{"id":"5f0c","kind":"ChatUnlocked"}""";
    private static readonly DateTimeOffset SignedAt = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly string Timestamp = SignedAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Sign_the_timestamp_a_dot_and_the_body_with_hmac_sha256()
    {
        var expected = "sha256=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(Timestamp + "." + Body)));

        Assert.Equal(expected, ChatWebhookSignature.Sign(Secret, Timestamp, Body));
    }

    [Fact]
    public void Accept_a_delivery_signed_with_the_secret_within_the_tolerance()
    {
        var signature = ChatWebhookSignature.Sign(Secret, Timestamp, Body);

        Assert.True(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature, SignedAt));
        Assert.True(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature, SignedAt.AddMinutes(5)));
        Assert.True(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature, SignedAt.AddMinutes(-5)));
        Assert.True(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal), SignedAt));
    }

    [Fact]
    public void Refuse_a_delivery_older_or_newer_than_the_tolerance()
    {
        var signature = ChatWebhookSignature.Sign(Secret, Timestamp, Body);

        Assert.False(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature, SignedAt.AddMinutes(5).AddSeconds(1)));
        Assert.False(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature, SignedAt.AddMinutes(-6)));
        Assert.True(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature, SignedAt.AddHours(1), TimeSpan.FromHours(2)));
        Assert.False(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature, SignedAt.AddSeconds(31), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Refuse_a_changed_body_timestamp_secret_or_signature()
    {
        var signature = ChatWebhookSignature.Sign(Secret, Timestamp, Body);
        var later = (SignedAt.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.False(ChatWebhookSignature.Verify(Secret, Body + " ", Timestamp, signature, SignedAt));
        Assert.False(ChatWebhookSignature.Verify(Secret, Body, later, signature, SignedAt));
        Assert.False(ChatWebhookSignature.Verify("another-secret-0123", Body, Timestamp, signature, SignedAt));
        Assert.False(ChatWebhookSignature.Verify(Secret, Body, Timestamp, signature[..^1] + (signature[^1] == '0' ? '1' : '0'), SignedAt));
    }

    [Theory]
    [InlineData(null, "sha256=00")]
    [InlineData("1764583200", null)]
    [InlineData("1764583200", "00ff")]
    [InlineData("1764583200", "sha256=")]
    [InlineData("1764583200", "sha256=zz")]
    [InlineData("1764583200", "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")]
    [InlineData("1764583200", "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00")]
    [InlineData("-1764583200", "sha256=00")]
    [InlineData(" 1764583200", "sha256=00")]
    [InlineData("99999999999999999999", "sha256=00")]
    [InlineData("9223372036854775807", "sha256=00")]
    public void Treat_missing_or_malformed_headers_as_not_valid(string? timestamp, string? signature) =>
        Assert.False(ChatWebhookSignature.Verify(Secret, Body, timestamp, signature, SignedAt));
}

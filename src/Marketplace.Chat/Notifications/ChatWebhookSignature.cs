using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Marketplace.Chat.Notifications;

/// <summary>
/// Signs and verifies the built-in webhook's deliveries: <c>X-Chat-Signature: sha256=</c> + hex HMAC-SHA256 of
/// <c>"{X-Chat-Timestamp}.{body}"</c> with the shared secret. A receiver calls <see cref="Verify"/> on the raw body
/// before it parses it.
/// </summary>
public static class ChatWebhookSignature
{
    /// <summary>The header carrying the notification id, the same on every retry of one delivery: de-duplicate by it.</summary>
    public const string DeliveryHeader = "X-Chat-Delivery";

    /// <summary>The header carrying the time of signing, in Unix seconds.</summary>
    public const string TimestampHeader = "X-Chat-Timestamp";

    /// <summary>The header carrying <c>sha256=</c> and the hex signature.</summary>
    public const string SignatureHeader = "X-Chat-Signature";

    /// <summary>The prefix of the signature header's value.</summary>
    public const string SignaturePrefix = "sha256=";

    /// <summary>The default largest difference between the signing time and the receiver's clock: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Computes the value of <see cref="SignatureHeader"/> for a body signed at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Sign(string secret, string timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(body);
        return SignaturePrefix + Convert.ToHexStringLower(Mac(secret, timestamp, body));
    }

    /// <summary>
    /// Checks a delivery: the timestamp is within <paramref name="tolerance"/> (default <see cref="DefaultTolerance"/>) of
    /// <paramref name="now"/>, and the signature matches the body, compared in constant time. Missing or malformed headers
    /// are simply not valid.
    /// </summary>
    /// <param name="secret">The shared secret (<see cref="ChatWebhookOptions.Secret"/>).</param>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="timestamp">The value of <see cref="TimestampHeader"/>.</param>
    /// <param name="signature">The value of <see cref="SignatureHeader"/>.</param>
    /// <param name="now">The receiver's current time.</param>
    /// <param name="tolerance">How far the signing time may be from <paramref name="now"/>, either way; refuses replays of old deliveries.</param>
    public static bool Verify(string secret, string body, string? timestamp, string? signature, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        if (timestamp is null || signature is null || !signature.StartsWith(SignaturePrefix, StringComparison.Ordinal)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > (tolerance ?? DefaultTolerance))
        {
            return false;
        }

        var hex = signature.AsSpan(SignaturePrefix.Length);
        var expected = Mac(secret, timestamp, body);
        if (hex.Length != expected.Length * 2)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[expected.Length];
        return Convert.FromHexString(hex, given, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == expected.Length
            && CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private static byte[] Mac(string secret, string timestamp, string body) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body));
}

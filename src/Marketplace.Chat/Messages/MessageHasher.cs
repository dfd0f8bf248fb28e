using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Computes the tamper-evident chain: each hash covers the previous hash and this message's original content,
/// sender, time and attachment hash, each field length-prefixed so no two contents encode alike.
/// </summary>
internal static class MessageHasher
{
    /// <summary>The "previous hash" of the first message of every conversation.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Compute(
        string previousHash,
        Guid conversationId,
        long sequence,
        ChatMessageKind kind,
        string? senderId,
        DateTimeOffset sentAt,
        string originalText,
        string? attachmentSha256)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, previousHash);
        Append(hash, conversationId.ToString("N"));
        Append(hash, sequence.ToString(CultureInfo.InvariantCulture));
        Append(hash, kind.ToString());
        Append(hash, senderId ?? "");
        Append(hash, sentAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Append(hash, originalText);
        Append(hash, attachmentSha256 ?? "");
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Rounds a time to whole microseconds, the precision databases keep, so hashes survive a round trip.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    private static void Append(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}

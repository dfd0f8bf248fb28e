using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marketplace.Chat.Persistence;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Computes an entry's link in the conversation's chain: HMAC-SHA256 with the host's key over a version tag, the key
/// id, the previous hash and every field of the entry, each length-prefixed (a null marked apart from an empty
/// string), so no two different entries encode alike. Pure and static, so the batched writer, the verifier and an
/// offline checker compute exactly the same bytes.
/// </summary>
internal static class EntryHasher
{
    /// <summary>The "previous hash" of the first entry of every conversation.</summary>
    public static readonly string Genesis = new('0', 64);

    private const string Version = "mpchat.entry.v1";

    /// <summary>Computes the hex MAC of <paramref name="entry"/> as stored, over its <see cref="EntryRecord.PreviousHash"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> key, EntryRecord entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new ArrayBufferWriter<byte>(512);
        Field(buffer, Version);
        Field(buffer, entry.KeyId);
        Field(buffer, entry.PreviousHash);
        Field(buffer, entry.Id.ToString("N"));
        Field(buffer, entry.ConversationId.ToString("N"));
        Field(buffer, entry.Sequence.ToString(CultureInfo.InvariantCulture));
        Field(buffer, entry.Kind.ToString());
        Field(buffer, entry.SystemCode);
        Field(buffer, entry.SenderId);
        Field(buffer, entry.SenderRole?.ToString());
        Field(buffer, entry.Text);
        Field(buffer, entry.TargetId?.ToString("N"));
        Field(buffer, entry.TargetSequence?.ToString(CultureInfo.InvariantCulture));
        Field(buffer, entry.AttachmentId?.ToString("N"));
        Field(buffer, entry.AttachmentSha256);
        Field(buffer, entry.Parameters);
        Field(buffer, entry.EventId);
        Field(buffer, entry.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, buffer.WrittenSpan, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>Computes the hex MAC of <paramref name="entry"/> with a key held in an array.</summary>
    public static string Compute(byte[] key, EntryRecord entry) => Compute(key.AsSpan(), entry);

    /// <summary>Rounds a time to whole microseconds, the precision databases keep, so hashes survive a round trip.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    private static void Field(ArrayBufferWriter<byte> buffer, string? value)
    {
        var length = buffer.GetSpan(4);
        if (value is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, -1);
            buffer.Advance(4);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        BinaryPrimitives.WriteInt32BigEndian(length, count);
        buffer.Advance(4);
        var written = Encoding.UTF8.GetBytes(value, buffer.GetSpan(count));
        buffer.Advance(written);
    }
}

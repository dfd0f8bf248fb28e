using System.Security.Cryptography;

namespace Marketplace.Chat.Attachments.Inspection;

/// <summary>
/// Writes the bytes to store while computing their SHA-256 and counting them, so the digest always describes
/// exactly what was written.
/// </summary>
internal sealed class HashingSink : IDisposable
{
    private readonly Stream _output;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Initializes a new instance that writes to <paramref name="output"/>.</summary>
    public HashingSink(Stream output) => _output = output;

    /// <summary>Gets the number of bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Writes the bytes and adds them to the digest.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _hash.AppendData(bytes.Span);
        await _output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        Length += bytes.Length;
    }

    /// <summary>Returns the lowercase hex SHA-256 of everything written.</summary>
    public string FinishHex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}

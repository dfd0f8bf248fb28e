using System.Security.Cryptography;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Writes the bytes to store while computing their SHA-256 and counting them, so the digest always describes
/// exactly what was written.
/// </summary>
internal sealed class HashingSink : IDisposable
{
    private readonly Stream output;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Initializes a new instance that writes to <paramref name="output"/>.</summary>
    public HashingSink(Stream output) => this.output = output;

    /// <summary>Gets the number of bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Writes the bytes and adds them to the digest.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        hash.AppendData(bytes.Span);
        await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        Length += bytes.Length;
    }

    /// <summary>Returns the lowercase hex SHA-256 of everything written.</summary>
    public string FinishHex() => Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <inheritdoc />
    public void Dispose() => hash.Dispose();
}

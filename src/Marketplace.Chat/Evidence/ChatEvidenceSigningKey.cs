using System.Security.Cryptography;

namespace Marketplace.Chat.Evidence;

/// <summary>
/// The marketplace's key that signs evidence bundles: an ECDSA P-256 private key and the id it is known by.
/// Register it with <c>AddMarketplaceChat(...).AddEvidenceSigningKey(...)</c>; publish <see cref="PublicKeyPem"/> or
/// <see cref="Fingerprint"/> so a payment processor or arbitrator can pin it when verifying a bundle.
/// </summary>
public sealed class ChatEvidenceSigningKey : IDisposable
{
    private readonly ECDsa _key;

    /// <summary>Initializes a new instance from a P-256 private key; the instance takes ownership of <paramref name="privateKey"/>.</summary>
    /// <param name="keyId">A short name for the key (printed in the bundle and the transcript), e.g. <c>shop-evidence-2026</c>.</param>
    /// <param name="privateKey">An ECDSA key on the NIST P-256 curve, with its private part.</param>
    public ChatEvidenceSigningKey(string keyId, ECDsa privateKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(privateKey);
        if (keyId.Length > 100 || keyId.Any(char.IsControl))
        {
            throw new ArgumentException("The evidence signing key id must be at most 100 characters without control characters.", nameof(keyId));
        }

        if (privateKey.KeySize != 256)
        {
            throw new ArgumentException(
                $"The evidence signing key must be ECDSA P-256 (ECDsa.Create(ECCurve.NamedCurves.nistP256)); this one has {privateKey.KeySize} bits.",
                nameof(privateKey));
        }

        _key = privateKey;
        KeyId = keyId;
        var spki = privateKey.ExportSubjectPublicKeyInfo();
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", spki);
        Fingerprint = EvidenceKeys.FingerprintOf(spki);
    }

    /// <summary>Gets the key's id, written into every bundle it signs.</summary>
    public string KeyId { get; }

    /// <summary>Gets the public key as PEM (SubjectPublicKeyInfo), as OpenSSL writes it.</summary>
    public string PublicKeyPem { get; }

    /// <summary>Gets the lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo bytes.</summary>
    public string Fingerprint { get; }

    /// <summary>Creates a signing key from a PEM private key (PKCS#8 <c>PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>).</summary>
    public static ChatEvidenceSigningKey FromPem(string keyId, string privateKeyPem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(privateKeyPem);
            return new ChatEvidenceSigningKey(keyId, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the PEM private key at <paramref name="path"/>, or creates a new P-256 key there (readable by the owner
    /// only, where the file system allows) when the file does not exist yet. Keep the file out of any web root and back it up:
    /// bundles signed with a lost key still verify against its published public key, but no new ones can be signed with it.
    /// </summary>
    /// <param name="path">The PEM file.</param>
    /// <param name="keyId">The key id; defaults to <c>evidence-</c> and the first 16 hex digits of the fingerprint.</param>
    public static ChatEvidenceSigningKey LoadOrCreate(string path, string? keyId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var pem = PemEncoding.WriteString("PRIVATE KEY", created.ExportPkcs8PrivateKey());
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
                writer.Write(pem);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            var id = keyId ?? "evidence-" + EvidenceKeys.FingerprintOf(key.ExportSubjectPublicKeyInfo())[..16];
            return new ChatEvidenceSigningKey(id, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Releases the private key.</summary>
    public void Dispose() => _key.Dispose();

    internal byte[] Sign(ReadOnlySpan<byte> data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
}

/// <summary>Fingerprints and parsing shared by the writer and the verifier.</summary>
internal static class EvidenceKeys
{
    public static string FingerprintOf(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Normalizes a fingerprint a person typed (colons, spaces, upper case, a <c>sha256:</c> prefix).</summary>
    public static string NormalizeFingerprint(string fingerprint)
    {
        var text = fingerprint.Trim();
        if (text.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[7..];
        }

        return new string(text.Where(char.IsAsciiHexDigit).Select(char.ToLowerInvariant).ToArray());
    }
}

using System.Security.Cryptography;
using Marketplace.Chat.Evidence;

namespace Marketplace.Chat.Tests.Evidence;

public sealed class ChatEvidenceSigningKeyShould : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("evidence-key-").FullName;

    [Fact]
    public void Create_a_key_file_readable_by_its_owner_only_and_load_the_same_key_again()
    {
        var path = Path.Combine(_folder, "keys", "evidence.pem");

        using var created = ChatEvidenceSigningKey.LoadOrCreate(path);
        using var loaded = ChatEvidenceSigningKey.LoadOrCreate(path);

        Assert.Equal(created.Fingerprint, loaded.Fingerprint);
        Assert.Equal("evidence-" + created.Fingerprint[..16], loaded.KeyId);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", created.PublicKeyPem, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Fingerprint_the_public_key_as_openssl_would()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var expected = Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()));

        using var key = ChatEvidenceSigningKey.FromPem("shop-2026", ecdsa.ExportPkcs8PrivateKeyPem());

        Assert.Equal(expected, key.Fingerprint);
        Assert.Equal("shop-2026", key.KeyId);
    }

    [Fact]
    public void Refuse_a_key_that_is_not_P256()
    {
        var error = Assert.Throws<ArgumentException>(() => new ChatEvidenceSigningKey("big", ECDsa.Create(ECCurve.NamedCurves.nistP384)));

        Assert.Contains("P-256", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

using Marketplace.Chat.Evidence;

namespace Marketplace.Chat.Sample.Chat;

/// <summary>
/// The key the sample signs dispute evidence bundles with: an ECDSA P-256 key in a PEM file under App_Data (or
/// <c>Sample:EvidenceKeyFile</c>), created on first start. A real marketplace keeps it in its secret store and
/// publishes the fingerprint, so whoever receives a bundle can pin it when verifying.
/// </summary>
internal static class SampleEvidenceKey
{
    /// <summary>Reads the key file, creating it the first time, and prints where it is and its fingerprint.</summary>
    public static ChatEvidenceSigningKey LoadOrCreate(WebApplicationBuilder builder)
    {
        var path = builder.Configuration["Sample:EvidenceKeyFile"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
            : Path.Combine(builder.Environment.ContentRootPath, "App_Data", "evidence-signing-key.pem");
        var existed = File.Exists(path);
        var key = ChatEvidenceSigningKey.LoadOrCreate(path);
        Console.WriteLine(
            $"Evidence signing key '{key.KeyId}' {(existed ? "read from" : "created in")} {path}; fingerprint {key.Fingerprint}.");
        return key;
    }
}

using System.Globalization;
using Marketplace.Chat.Evidence;

namespace Marketplace.Chat.EvidenceVerifier;

/// <summary>Checks a dispute evidence bundle offline and prints OK or every problem, naming the file and entry.</summary>
internal static class VerifierCommand
{
    public const int Verified = 0;
    public const int NotVerified = 1;
    public const int UsageError = 2;

    private const string Usage = """
        Usage: Marketplace.Chat.EvidenceVerifier <bundle.zip> [--fingerprint <sha256-hex>] [--public-key <key.pem>]
                                                 [--log-key <key-id>=<base64> | --log-key <key-id>=@<file>]...

        Checks a Marketplace.Chat dispute evidence bundle without the database: the signature over manifest.json, the
        SHA-256 and size of every file, that no file is missing or added, and the logs' sequences, links and heads.
          --fingerprint  the SHA-256 fingerprint the marketplace publishes for its evidence key (recommended: without
                         it, the key inside the bundle is used and only reported)
          --public-key   the marketplace's public key (PEM) instead of its fingerprint
          --log-key      a conversation-log key (base64, or @file holding base64): every entry's keyed MAC is then
                         recomputed; without it, entry MACs are not checked
        Exit code: 0 verified, 1 not verified, 2 usage error.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string? bundle = null;
        var options = new ChatEvidenceVerifyOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    await output.WriteLineAsync(Usage).ConfigureAwait(false);
                    return Verified;
                case "--fingerprint" when i + 1 < args.Length:
                    options.ExpectedFingerprint = args[++i];
                    break;
                case "--public-key" when i + 1 < args.Length:
                    var keyFile = args[++i];
                    if (!File.Exists(keyFile))
                    {
                        await error.WriteLineAsync($"The public key file '{keyFile}' does not exist.").ConfigureAwait(false);
                        return UsageError;
                    }

                    options.ExpectedPublicKeyPem = await File.ReadAllTextAsync(keyFile).ConfigureAwait(false);
                    break;
                case "--log-key" when i + 1 < args.Length:
                    var (id, key, problem) = await ParseLogKey(args[++i]).ConfigureAwait(false);
                    if (problem is not null)
                    {
                        await error.WriteLineAsync(problem).ConfigureAwait(false);
                        return UsageError;
                    }

                    options.LogKeys[id] = key;
                    break;
                case var value when !value.StartsWith('-') && bundle is null:
                    bundle = value;
                    break;
                default:
                    await error.WriteLineAsync($"Unexpected argument '{args[i]}'.").ConfigureAwait(false);
                    await error.WriteLineAsync(Usage).ConfigureAwait(false);
                    return UsageError;
            }
        }

        if (bundle is null)
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return UsageError;
        }

        if (!File.Exists(bundle))
        {
            await error.WriteLineAsync($"The bundle '{bundle}' does not exist.").ConfigureAwait(false);
            return UsageError;
        }

        ChatEvidenceVerification result;
        try
        {
            result = await ChatEvidenceBundle.VerifyFileAsync(bundle, options).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return UsageError;
        }

        await Report(result, output).ConfigureAwait(false);
        return result.IsValid ? Verified : NotVerified;
    }

    private static async Task<(string Id, byte[] Key, string? Problem)> ParseLogKey(string value)
    {
        var split = value.IndexOf('=', StringComparison.Ordinal);
        if (split <= 0)
        {
            return ("", [], "--log-key takes <key-id>=<base64> or <key-id>=@<file>.");
        }

        var id = value[..split];
        var text = value[(split + 1)..];
        if (text.StartsWith('@'))
        {
            if (!File.Exists(text[1..]))
            {
                return ("", [], $"The log key file '{text[1..]}' does not exist.");
            }

            text = await File.ReadAllTextAsync(text[1..]).ConfigureAwait(false);
        }

        try
        {
            return (id, Convert.FromBase64String(text.Trim()), null);
        }
        catch (FormatException)
        {
            return ("", [], $"The log key '{id}' is not base64.");
        }
    }

    private static async Task Report(ChatEvidenceVerification result, TextWriter output)
    {
        var subject = result.DisputeId is null
            ? "evidence bundle"
            : $"evidence bundle for dispute {result.DisputeId} (transaction {result.TransactionId}), exported " +
              $"{result.ExportedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)} by {result.ExportedBy}";
        if (result.IsValid)
        {
            await output.WriteLineAsync($"OK: {subject}").ConfigureAwait(false);
            await output.WriteLineAsync($"  the signature, the {result.FileCount} files the manifest lists and the {result.EntryCount} log entries check out.").ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"FAILED: {subject}: {result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}").ConfigureAwait(false);
            foreach (var problem in result.Problems)
            {
                await output.WriteLineAsync("  " + problem).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync(
            $"  signing key: \"{result.SigningKeyId ?? "?"}\", fingerprint {result.SigningKeyFingerprint ?? "?"} " +
            (result.SigningKeyPinned ? "(pinned)" : "(taken from the bundle, not pinned: pass --fingerprint to check it is the marketplace's key)"))
            .ConfigureAwait(false);
        await output.WriteLineAsync(result.MacsChecked
            ? "  entry MACs: every entry's keyed MAC checked with the log keys given"
            : "  entry MACs: not checked (they need the marketplace's log key); sequences, links and heads were checked").ConfigureAwait(false);
    }
}

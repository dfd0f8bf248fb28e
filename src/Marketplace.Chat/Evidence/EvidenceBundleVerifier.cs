using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Marketplace.Chat.Evidence;

/// <summary>One offline check of one bundle; collects every problem instead of stopping at the first.</summary>
internal sealed class EvidenceBundleVerifier(ChatEvidenceVerifyOptions options)
{
    private const string Bundle = "(bundle)";
    private const int MaxEntries = 10_000;
    private const long MaxSmallFileBytes = 64L * 1024 * 1024;
    private const long MaxTotalBytes = 16L * 1024 * 1024 * 1024;

    private readonly List<ChatEvidenceProblem> _problems = [];
    private readonly Dictionary<string, byte[]> _kept = new(StringComparer.Ordinal);
    private string? _fingerprint;
    private bool _pinned;
    private long _entryCount;
    private int _macChecks;

    /// <summary>Checks what the caller pins before any bundle is read, so a typo is the caller's error, not the bundle's.</summary>
    public static void Validate(ChatEvidenceVerifyOptions options)
    {
        if (options.ExpectedPublicKeyPem is not null)
        {
            using var key = ImportPublicKey(options.ExpectedPublicKeyPem, out _)
                ?? throw new ArgumentException("The expected public key is not a PEM ECDSA P-256 public key.", nameof(options));
        }

        if (options.ExpectedFingerprint is not null && EvidenceKeys.NormalizeFingerprint(options.ExpectedFingerprint).Length != 64)
        {
            throw new ArgumentException("The expected fingerprint must be 64 hex digits (a SHA-256).", nameof(options));
        }
    }

    public ChatEvidenceVerification Verify(Stream bundle, CancellationToken cancellationToken)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true, Encoding.UTF8);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            Problem(Bundle, null, "is not a readable ZIP archive: " + e.Message);
            return Result(null);
        }

        using (zip)
        {
            return Verify(zip, cancellationToken);
        }
    }

    private ChatEvidenceVerification Verify(ZipArchive zip, CancellationToken cancellationToken)
    {
        Dictionary<string, ZipArchiveEntry> entries;
        try
        {
            if (zip.Entries.Count > MaxEntries)
            {
                Problem(Bundle, null, $"holds {zip.Entries.Count} files, more than an evidence bundle can ({MaxEntries}).");
                return Result(null);
            }

            entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (!entries.TryAdd(entry.FullName, entry))
                {
                    Problem(entry.FullName, null, "appears twice in the ZIP archive.");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            Problem(Bundle, null, "has an unreadable ZIP directory: " + e.Message);
            return Result(null);
        }

        var manifestBytes = ReadSmall(entries, EvidenceFiles.Manifest, 16 * 1024 * 1024, required: true);
        var signature = ReadSmall(entries, EvidenceFiles.Signature, 1024, required: true);
        var bundledKey = ReadSmall(entries, EvidenceFiles.PublicKey, 16 * 1024, required: !Pinning);
        using var publicKey = ChooseKey(bundledKey);

        if (manifestBytes is not null && signature is not null && publicKey is not null)
        {
            bool signed;
            try
            {
                signed = publicKey.VerifyData(manifestBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
            catch (CryptographicException)
            {
                signed = false;
            }

            if (!signed)
            {
                Problem(EvidenceFiles.Signature, null, $"the signature does not verify over manifest.json with the key whose fingerprint is {_fingerprint}: the manifest or the signature was changed, or another key signed it.");
            }
        }

        EvidenceManifest? manifest = null;
        if (manifestBytes is not null)
        {
            manifest = Parse<EvidenceManifest>(EvidenceFiles.Manifest, manifestBytes);
        }

        if (manifest is null)
        {
            return Result(null);
        }

        CheckManifestHeader(manifest);
        CheckFiles(manifest, entries, cancellationToken);
        CheckContents(manifest);
        return Result(manifest);
    }

    private bool Pinning => options.ExpectedPublicKeyPem is not null || options.ExpectedFingerprint is not null;

    private ECDsa? ChooseKey(byte[]? bundledKey)
    {
        ECDsa? bundled = null;
        string? bundledFingerprint = null;
        if (bundledKey is not null)
        {
            bundled = ImportPublicKey(Encoding.ASCII.GetString(bundledKey), out bundledFingerprint);
            if (bundled is null)
            {
                Problem(EvidenceFiles.PublicKey, null, "is not a PEM ECDSA P-256 public key.");
            }
        }

        ECDsa? chosen = bundled;
        if (options.ExpectedPublicKeyPem is not null)
        {
            var expected = ImportPublicKey(options.ExpectedPublicKeyPem, out var expectedFingerprint)!;
            if (bundledFingerprint is not null && bundledFingerprint != expectedFingerprint)
            {
                Problem(EvidenceFiles.PublicKey, null, $"is not the expected public key (it has fingerprint {bundledFingerprint}, expected {expectedFingerprint}).");
            }

            bundled?.Dispose();
            chosen = expected;
            _fingerprint = expectedFingerprint;
            _pinned = true;
        }
        else
        {
            _fingerprint = bundledFingerprint;
        }

        if (options.ExpectedFingerprint is not null)
        {
            var expected = EvidenceKeys.NormalizeFingerprint(options.ExpectedFingerprint);
            if (_fingerprint is not null && _fingerprint != expected)
            {
                Problem(EvidenceFiles.PublicKey, null, $"the signing key's fingerprint is {_fingerprint}, not the expected {expected}.");
                chosen?.Dispose();
                chosen = null;
            }

            _pinned = true;
        }

        return chosen;
    }

    private static ECDsa? ImportPublicKey(string pem, out string? fingerprint)
    {
        fingerprint = null;
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                key.Dispose();
                return null;
            }

            fingerprint = EvidenceKeys.FingerprintOf(key.ExportSubjectPublicKeyInfo());
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or PlatformNotSupportedException or FormatException)
        {
            key.Dispose();
            return null;
        }
    }

    private void CheckManifestHeader(EvidenceManifest manifest)
    {
        if (manifest.Format != EvidenceFiles.Format)
        {
            Problem(EvidenceFiles.Manifest, null, $"has format '{manifest.Format}', not '{EvidenceFiles.Format}'.");
        }

        if (_fingerprint is not null && !string.Equals(EvidenceKeys.NormalizeFingerprint(manifest.SigningKeyFingerprint), _fingerprint, StringComparison.Ordinal))
        {
            Problem(EvidenceFiles.Manifest, null, $"names signing key fingerprint {manifest.SigningKeyFingerprint}, but the key checked is {_fingerprint}.");
        }
    }

    private void CheckFiles(EvidenceManifest manifest, Dictionary<string, ZipArchiveEntry> entries, CancellationToken cancellationToken)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var file in manifest.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Path is EvidenceFiles.Manifest or EvidenceFiles.Signature)
            {
                Problem(EvidenceFiles.Manifest, null, $"lists {file.Path}, which cannot vouch for itself.");
                continue;
            }

            if (!listed.Add(file.Path))
            {
                Problem(EvidenceFiles.Manifest, null, $"lists {file.Path} twice.");
                continue;
            }

            if (!entries.TryGetValue(file.Path, out var entry))
            {
                Problem(file.Path, null, "is listed in the manifest but missing from the bundle.");
                continue;
            }

            if (file.Length < 0 || (total += file.Length) > MaxTotalBytes)
            {
                Problem(EvidenceFiles.Manifest, null, $"declares an impossible size for {file.Path}.");
                continue;
            }

            var keep = file.Path.EndsWith(".json", StringComparison.Ordinal) && file.Length <= MaxSmallFileBytes;
            try
            {
                using var stream = entry.Open();
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using var kept = keep ? new MemoryStream() : null;
                var buffer = new byte[81920];
                long length = 0;
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    length += read;
                    if (length > file.Length)
                    {
                        break;
                    }

                    hash.AppendData(buffer, 0, read);
                    kept?.Write(buffer, 0, read);
                }

                if (length != file.Length)
                {
                    Problem(file.Path, null, length > file.Length
                        ? $"is longer than the {file.Length} bytes the manifest lists."
                        : $"is {length} bytes, not the {file.Length} bytes the manifest lists.");
                    continue;
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    Problem(file.Path, null, $"has SHA-256 {actual}, not the {file.Sha256} the manifest lists: its content was changed.");
                    continue;
                }

                if (kept is not null)
                {
                    _kept[file.Path] = kept.ToArray();
                }
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
            {
                Problem(file.Path, null, "cannot be read from the ZIP archive (damaged): " + e.Message);
            }
        }

        foreach (var name in entries.Keys.Order(StringComparer.Ordinal))
        {
            if (name is not EvidenceFiles.Manifest and not EvidenceFiles.Signature && !listed.Contains(name))
            {
                Problem(name, null, "is in the bundle but not listed in the manifest.");
            }
        }

        foreach (var required in new[]
        {
            EvidenceFiles.TransactionLog, EvidenceFiles.TransactionTransitions, EvidenceFiles.DisputeLog,
            EvidenceFiles.DisputeTransitions, EvidenceFiles.AttachmentIndex, EvidenceFiles.Transcript,
        })
        {
            if (!listed.Contains(required))
            {
                Problem(required, null, "is missing: every bundle has it.");
            }
        }
    }

    private void CheckContents(EvidenceManifest manifest)
    {
        var transactionLog = Load<EvidenceLogFile>(EvidenceFiles.TransactionLog);
        var disputeLog = Load<EvidenceLogFile>(EvidenceFiles.DisputeLog);
        var attachments = Load<EvidenceAttachmentIndex>(EvidenceFiles.AttachmentIndex);

        if (transactionLog is not null)
        {
            CheckLog(EvidenceFiles.TransactionLog, transactionLog, manifest.TransactionConversationId, "Transaction", manifest, attachments);
        }

        if (disputeLog is not null)
        {
            CheckLog(EvidenceFiles.DisputeLog, disputeLog, manifest.DisputeConversationId, "Dispute", manifest, attachments);
        }

        CheckTransitions(EvidenceFiles.TransactionTransitions, manifest.TransactionConversationId);
        CheckTransitions(EvidenceFiles.DisputeTransitions, manifest.DisputeConversationId);
        if (attachments is not null)
        {
            CheckAttachments(manifest, attachments, [.. transactionLog?.Entries ?? [], .. disputeLog?.Entries ?? []]);
        }
    }

    private void CheckLog(string file, EvidenceLogFile log, Guid expectedId, string expectedKind, EvidenceManifest manifest, EvidenceAttachmentIndex? attachments)
    {
        if (log.ConversationId != expectedId)
        {
            Problem(file, null, $"is the log of conversation {log.ConversationId:D}, not of {expectedId:D} as the manifest says.");
        }

        if (log.Kind != expectedKind)
        {
            Problem(file, null, $"is a {log.Kind} conversation's log, expected {expectedKind}.");
        }

        if (log.TransactionId != manifest.TransactionId || (expectedKind == "Dispute" && log.DisputeId != manifest.DisputeId))
        {
            Problem(file, null, "names another transaction or dispute than the manifest.");
        }

        if (!log.Verification.IsIntact)
        {
            Problem(file, log.Verification.FirstBrokenSequence,
                $"the server's chain verification at export reported damage ({log.Verification.Damage ?? "unknown"}).");
        }

        _entryCount += log.Entries.Count;
        var byId = new Dictionary<Guid, EvidenceEntry>();
        var attachmentShas = attachments?.Attachments.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First().Sha256) ?? [];
        long expected = 1;
        var previous = EvidenceFiles.Genesis;
        foreach (var entry in log.Entries)
        {
            if (entry.Sequence != expected)
            {
                Problem(file, entry.Sequence, entry.Sequence > expected
                    ? $"entries #{expected}{(entry.Sequence - 1 > expected ? $" to #{entry.Sequence - 1}" : "")} are missing before it."
                    : $"is out of order or repeated (expected #{expected} here).");
            }

            if (!IsHash(entry.Hash))
            {
                Problem(file, entry.Sequence, "has no well-formed hash (64 lowercase hex digits).");
            }

            if (entry.PreviousHash != previous)
            {
                Problem(file, entry.Sequence, expected == 1 && entry.Sequence == 1
                    ? "the first entry's previous hash is not the chain's starting value."
                    : "its previous hash is not the hash of the entry before it: an entry was removed, inserted or reordered.");
            }

            if (entry.Kind is EvidenceEntryKinds.Edit or EvidenceEntryKinds.Deletion)
            {
                if (entry.TargetId is not { } targetId || !byId.TryGetValue(targetId, out var target))
                {
                    Problem(file, entry.Sequence, $"is an {entry.Kind.ToLowerInvariant()} whose target is not an earlier entry of this log.");
                }
                else if (target.Sequence != entry.TargetSequence)
                {
                    Problem(file, entry.Sequence, $"names target #{entry.TargetSequence} but the entry with that id is #{target.Sequence}.");
                }
            }

            if (entry.AttachmentId is { } attachmentId)
            {
                if (!attachmentShas.TryGetValue(attachmentId, out var sha))
                {
                    Problem(file, entry.Sequence, $"references attachment {attachmentId:D}, which is not in attachments/index.json.");
                }
                else if (!string.Equals(sha, entry.AttachmentSha256, StringComparison.OrdinalIgnoreCase))
                {
                    Problem(file, entry.Sequence, $"records attachment SHA-256 {entry.AttachmentSha256}, but the attachment in the bundle is {sha}.");
                }
            }

            byId.TryAdd(entry.Id, entry);
            previous = entry.Hash;
            expected = Math.Max(expected, entry.Sequence) + 1;
        }

        CheckMacs(file, log);
        var last = log.Entries.Count > 0 ? log.Entries[^1] : null;
        if (log.Head.LastSequence != (last?.Sequence ?? 0))
        {
            Problem(file, log.Head.LastSequence, log.Head.LastSequence > (last?.Sequence ?? 0)
                ? $"the head says the log ends at #{log.Head.LastSequence}, but it ends at #{last?.Sequence ?? 0}: the tail is missing."
                : $"the head says the log ends at #{log.Head.LastSequence}, but it goes on to #{last?.Sequence}.");
        }
        else if (log.Head.LastHash != (last?.Hash ?? EvidenceFiles.Genesis))
        {
            Problem(file, last?.Sequence, "the head's hash is not the hash of the last entry.");
        }
    }

    /// <summary>Recomputes every entry's keyed MAC with the log's own verifier, when the caller holds the log keys.</summary>
    private void CheckMacs(string file, EvidenceLogFile log)
    {
        if (options.LogKeys.Count == 0)
        {
            return;
        }

        var records = new List<Persistence.EntryRecord>(log.Entries.Count);
        foreach (var entry in log.Entries)
        {
            if (EvidenceLoader.ToRecord(log.ConversationId, entry) is not { } record)
            {
                Problem(file, entry.Sequence, $"has kind '{entry.Kind}' or role '{entry.SenderRole}', which the chat never writes.");
                return;
            }

            records.Add(record);
        }

        var result = Messages.ConversationLogReader.Verify(records, log.Head.LastSequence, log.Head.LastHash, TryGetKey);
        _macChecks++;
        if (result.IsIntact)
        {
            return;
        }

        var at = result.FirstBrokenSequence;
        var keyId = log.Entries.FirstOrDefault(e => e.Sequence == at)?.KeyId;
        Problem(file, at, result.Damage switch
        {
            Messages.ChainDamage.ContentChanged => "ContentChanged: its keyed MAC does not match its content; a field of this entry (or its hash) was changed.",
            Messages.ChainDamage.EntryMissing => "EntryMissing: the entry that belongs here is missing.",
            Messages.ChainDamage.OrderChanged => "OrderChanged: this entry is intact but not in its place.",
            Messages.ChainDamage.TailTruncated => "TailTruncated: entries at the end of the log are missing.",
            Messages.ChainDamage.UnknownKey => $"UnknownKey: it is keyed with '{keyId}', which is not among the log keys given.",
            _ => "the keyed chain does not verify here.",
        });
    }

    private bool TryGetKey(string keyId, out ReadOnlySpan<byte> key)
    {
        if (options.LogKeys.TryGetValue(keyId, out var bytes))
        {
            key = bytes;
            return true;
        }

        key = default;
        return false;
    }

    private void CheckTransitions(string file, Guid expectedId)
    {
        var transitions = Load<EvidenceTransitionsFile>(file);
        if (transitions is not null && transitions.ConversationId != expectedId)
        {
            Problem(file, null, $"is the transition log of conversation {transitions.ConversationId:D}, not of {expectedId:D}.");
        }
    }

    private void CheckAttachments(EvidenceManifest manifest, EvidenceAttachmentIndex index, IReadOnlyList<EvidenceEntry> entries)
    {
        var files = manifest.Files.GroupBy(f => f.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var referenced = entries.Where(e => e.AttachmentId is not null).Select(e => e.AttachmentId!.Value).ToHashSet();
        foreach (var a in index.Attachments)
        {
            if (!files.TryGetValue(a.Path, out var file))
            {
                Problem(EvidenceFiles.AttachmentIndex, null, $"points attachment {a.Id:D} at {a.Path}, which the manifest does not list.");
            }
            else if (!string.Equals(file.Sha256, a.Sha256, StringComparison.OrdinalIgnoreCase) || file.Length != a.Length)
            {
                Problem(a.Path, null, $"is not the attachment recorded at upload (SHA-256 {a.Sha256}, {a.Length} bytes).");
            }

            if (a.PreviewPath is not null && (!files.TryGetValue(a.PreviewPath, out var preview) || !string.Equals(preview.Sha256, a.PreviewSha256, StringComparison.OrdinalIgnoreCase)))
            {
                Problem(EvidenceFiles.AttachmentIndex, null, $"names preview {a.PreviewPath} for attachment {a.Id:D}, which does not match the manifest.");
            }

            if (!referenced.Contains(a.Id))
            {
                Problem(EvidenceFiles.AttachmentIndex, null, $"lists attachment {a.Id:D}, which no entry of either log references.");
            }
        }
    }

    private T? Load<T>(string file)
        where T : class =>
        _kept.TryGetValue(file, out var bytes) ? Parse<T>(file, bytes) : null;

    private T? Parse<T>(string file, byte[] bytes)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, EvidenceFiles.Json)
                ?? throw new JsonException("The document is empty.");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1})" : "";
            Problem(file, null, $"is not valid{where}: {e.Message.Split(" Path:", 2)[0]}");
            return null;
        }
    }

    private byte[]? ReadSmall(Dictionary<string, ZipArchiveEntry> entries, string name, long limit, bool required)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            if (required)
            {
                Problem(name, null, "is missing from the bundle.");
            }

            return null;
        }

        try
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                copy.Write(buffer, 0, read);
                if (copy.Length > limit)
                {
                    Problem(name, null, $"is larger than {limit} bytes.");
                    return null;
                }
            }

            return copy.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            Problem(name, null, "cannot be read from the ZIP archive (damaged): " + e.Message);
            return null;
        }
    }

    private static bool IsHash(string value) =>
        value.Length == 64 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private void Problem(string file, long? sequence, string description) =>
        _problems.Add(new ChatEvidenceProblem(file, sequence, description));

    private ChatEvidenceVerification Result(EvidenceManifest? manifest) => new(
        _problems.Count == 0,
        _problems,
        manifest?.DisputeId,
        manifest?.TransactionId,
        manifest?.ExportedAt,
        manifest?.ExportedBy,
        manifest?.SigningKeyId,
        _fingerprint,
        _pinned,
        _macChecks == 2,
        manifest?.Files.Count ?? 0,
        _entryCount);
}

using System.Text;
using System.Text.Json.Nodes;
using Marketplace.Chat.Evidence;

namespace Marketplace.Chat.Tests.Evidence;

public class EvidenceBundleShould
{
    private static readonly string[] ExpectedFiles =
    [
        "attachments/aaaaaaaa000000000000000000000001.jpg",
        "attachments/aaaaaaaa000000000000000000000001.preview.jpg",
        "attachments/aaaaaaaa000000000000000000000002.png",
        "attachments/aaaaaaaa000000000000000000000003.pdf",
        "attachments/index.json",
        "dispute-chat/log.json",
        "dispute-chat/transitions.json",
        "manifest.json",
        "manifest.sig",
        "signing-key.pem",
        "transaction-chat/log.json",
        "transaction-chat/transitions.json",
        "transcript.pdf",
    ];

    [Fact]
    public async Task Verify_offline_as_written_and_report_the_key()
    {
        using var key = EvidenceSamples.NewKey();
        var bundle = await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key);

        var result = await EvidenceSamples.VerifyAsync(bundle);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Empty(result.Problems);
        Assert.Equal("D-2026-0042", result.DisputeId);
        Assert.Equal("T-9001", result.TransactionId);
        Assert.Equal("admin-1", result.ExportedBy);
        Assert.Equal("test-evidence-key", result.SigningKeyId);
        Assert.Equal(key.Fingerprint, result.SigningKeyFingerprint);
        Assert.False(result.SigningKeyPinned);
        Assert.False(result.MacsChecked);
        Assert.Equal(ExpectedFiles.Length - 2, result.FileCount);
        Assert.Equal(11 + 6, result.EntryCount);
    }

    [Fact]
    public async Task Hold_the_logs_transitions_attachments_transcript_key_manifest_and_signature()
    {
        using var key = EvidenceSamples.NewKey();
        var files = EvidenceSamples.Unzip(await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key));

        Assert.Equal(ExpectedFiles, files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(EvidenceSamples.Photo, files["attachments/aaaaaaaa000000000000000000000001.jpg"]);
        Assert.Equal(EvidenceSamples.PhotoPreview, files["attachments/aaaaaaaa000000000000000000000001.preview.jpg"]);
        Assert.Equal(EvidenceSamples.Invoice, files["attachments/aaaaaaaa000000000000000000000003.pdf"]);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(files["transcript.pdf"], 0, 5));
        Assert.Equal(key.PublicKeyPem + "\n", Encoding.ASCII.GetString(files["signing-key.pem"]));

        var manifest = JsonNode.Parse(files["manifest.json"])!;
        Assert.Equal("marketplace-chat-evidence/1", (string?)manifest["format"]);
        Assert.Equal(key.Fingerprint, (string?)manifest["signingKeyFingerprint"]);
        var listed = manifest["files"]!.AsArray().Select(f => (string)f!["path"]!).Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedFiles.Where(f => f is not "manifest.json" and not "manifest.sig"), listed);

        var log = JsonNode.Parse(files["transaction-chat/log.json"])!;
        var entries = log["entries"]!.AsArray();
        Assert.Equal(11, entries.Count);
        var edit = entries.Single(e => (string?)e!["kind"] == "Edit")!;
        Assert.Equal("Happy to discuss a refund.", (string?)edit["text"]);
        Assert.Equal(4, (long?)edit["targetSequence"]);
        var deleted = entries.Single(e => (string?)e!["sequence"]?.ToString() == "6")!;
        Assert.Equal("It was already cracked when I shipped it", (string?)deleted["text"]);
        Assert.Equal(11, (long?)log["head"]!["lastSequence"]);
        Assert.Equal("""{"carrier":"UPS","tracking":"1Z999AA10123456784"}""", (string?)entries[9]!["parameters"]);
    }

    [Fact]
    public async Task Fail_and_name_the_file_when_one_byte_of_any_file_changes()
    {
        using var key = EvidenceSamples.NewKey();
        var files = EvidenceSamples.Unzip(await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key));
        var checkedFlips = 0;

        foreach (var (name, bytes) in files)
        {
            // Every byte of the small files; spread positions (first, last and between) of the larger ones.
            var positions = bytes.Length <= 400
                ? Enumerable.Range(0, bytes.Length)
                : Enumerable.Range(0, 24).Select(i => (int)((long)i * (bytes.Length - 1) / 23)).Distinct();
            foreach (var position in positions)
            {
                var changed = files.ToDictionary(f => f.Key, f => f.Value);
                var copy = (byte[])bytes.Clone();
                copy[position] ^= 0x01;
                changed[name] = copy;

                var result = await EvidenceSamples.VerifyAsync(EvidenceSamples.Zip(changed));

                Assert.False(result.IsValid, $"{name} with byte {position} flipped still verifies");
                var where = name == "manifest.json" ? new[] { "manifest.json", "manifest.sig" } : [name];
                Assert.True(result.Problems.Any(p => where.Contains(p.File)),
                    $"{name} byte {position}: the problems do not name it: {string.Join(" | ", result.Problems)}");
                checkedFlips++;
            }
        }

        Assert.True(checkedFlips > 400, $"only {checkedFlips} flips were checked");
    }

    [Fact]
    public async Task Never_throw_on_a_damaged_zip_and_pass_only_when_every_file_is_unchanged()
    {
        using var key = EvidenceSamples.NewKey();
        var bundle = await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key);
        var original = EvidenceSamples.Unzip(bundle);
        var random = new Random(20261201);
        var failed = 0;

        for (var i = 0; i < 300; i++)
        {
            var damaged = (byte[])bundle.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));

            var result = await EvidenceSamples.VerifyAsync(damaged);

            if (result.IsValid)
            {
                // Only ZIP bookkeeping (times, attributes, unused fields) was hit: every file reads back as written.
                var files = EvidenceSamples.Unzip(damaged);
                Assert.Equal(original.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
                Assert.All(original, f => Assert.Equal(f.Value, files[f.Key]));
            }
            else
            {
                Assert.NotEmpty(result.Problems);
                failed++;
            }
        }

        Assert.True(failed > 200, $"only {failed} of 300 damaged archives failed");
    }

    [Fact]
    public async Task Fail_when_a_file_is_missing_or_one_is_added()
    {
        using var key = EvidenceSamples.NewKey();
        var files = EvidenceSamples.Unzip(await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key));

        var withoutPhoto = files.Where(f => f.Key != "attachments/aaaaaaaa000000000000000000000001.jpg");
        var missing = await EvidenceSamples.VerifyAsync(EvidenceSamples.Zip(withoutPhoto));
        var extra = await EvidenceSamples.VerifyAsync(EvidenceSamples.Zip(files.Append(new("notes.txt", "added later"u8.ToArray()))));
        var noSignature = await EvidenceSamples.VerifyAsync(EvidenceSamples.Zip(files.Where(f => f.Key != "manifest.sig")));

        Assert.Contains(missing.Problems, p => p.File == "attachments/aaaaaaaa000000000000000000000001.jpg" && p.Description.Contains("missing", StringComparison.Ordinal));
        Assert.Equal("notes.txt: is in the bundle but not listed in the manifest.", Assert.Single(extra.Problems).ToString());
        Assert.Contains(noSignature.Problems, p => p.File == "manifest.sig" && p.Description.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pass_with_the_pinned_key_and_fail_with_another()
    {
        using var key = EvidenceSamples.NewKey();
        using var other = EvidenceSamples.NewKey("someone-else");
        var bundle = await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key);

        var byPem = await EvidenceSamples.VerifyAsync(bundle, new() { ExpectedPublicKeyPem = key.PublicKeyPem });
        var byFingerprint = await EvidenceSamples.VerifyAsync(bundle, new() { ExpectedFingerprint = "SHA256:" + key.Fingerprint.ToUpperInvariant() });
        var wrongPem = await EvidenceSamples.VerifyAsync(bundle, new() { ExpectedPublicKeyPem = other.PublicKeyPem });
        var wrongFingerprint = await EvidenceSamples.VerifyAsync(bundle, new() { ExpectedFingerprint = other.Fingerprint });

        Assert.True(byPem.IsValid, string.Join("\n", byPem.Problems));
        Assert.True(byPem.SigningKeyPinned);
        Assert.True(byFingerprint.IsValid, string.Join("\n", byFingerprint.Problems));
        Assert.False(wrongPem.IsValid);
        Assert.Contains(wrongPem.Problems, p => p.File == "signing-key.pem");
        Assert.Contains(wrongPem.Problems, p => p.File == "manifest.sig");
        Assert.False(wrongFingerprint.IsValid);
        Assert.Contains(wrongFingerprint.Problems, p => p.File == "signing-key.pem" && p.Description.Contains(other.Fingerprint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_a_bundle_rewritten_and_re_signed_by_someone_else_only_through_the_pinned_key()
    {
        using var key = EvidenceSamples.NewKey();
        using var forger = EvidenceSamples.NewKey("test-evidence-key");
        var genuine = await EvidenceSamples.VerifyAsync(await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key));
        var forged = await EvidenceSamples.WriteAsync(
            EvidenceSamples.Content(entries => entries[3] = entries[3] with { Text = "Refunds within 30 days." }), forger);

        var unpinned = await EvidenceSamples.VerifyAsync(forged);
        var pinned = await EvidenceSamples.VerifyAsync(forged, new() { ExpectedFingerprint = genuine.SigningKeyFingerprint });

        Assert.True(unpinned.IsValid);
        Assert.NotEqual(genuine.SigningKeyFingerprint, unpinned.SigningKeyFingerprint);
        Assert.False(pinned.IsValid);
    }

    [Fact]
    public async Task Name_the_entry_where_a_log_has_a_gap_a_broken_link_or_a_short_head()
    {
        using var key = EvidenceSamples.NewKey();

        var gap = await Check(entries => entries.RemoveAt(4));
        var link = await Check(entries => entries[6] = entries[6] with { PreviousHash = new string('a', 64) });
        var swapped = await Check(entries => (entries[6], entries[7]) = (entries[7], entries[6]));
        var tail = await Check(entries => entries.RemoveAt(entries.Count - 1), new EvidenceHead(11, new string('b', 64)));
        var target = await Check(entries => entries[7] = entries[7] with { TargetSequence = 5 });

        Assert.Contains("transaction-chat/log.json: entry #6: entries #5 are missing before it.", gap);
        Assert.Contains("transaction-chat/log.json: entry #7: its previous hash is not the hash of the entry before it: an entry was removed, inserted or reordered.", link);
        Assert.Contains(swapped, p => p.StartsWith("transaction-chat/log.json: entry #8: ", StringComparison.Ordinal));
        Assert.Contains("transaction-chat/log.json: entry #11: the head says the log ends at #11, but it ends at #10: the tail is missing.", tail);
        Assert.Contains("transaction-chat/log.json: entry #8: names target #5 but the entry with that id is #4.", target);

        async Task<List<string>> Check(Action<List<EvidenceEntry>> change, EvidenceHead? head = null)
        {
            var result = await EvidenceSamples.VerifyAsync(await EvidenceSamples.WriteAsync(EvidenceSamples.Content(change, head), key));
            Assert.False(result.IsValid);
            return result.Problems.Select(p => p.ToString()).ToList();
        }
    }

    [Fact]
    public async Task Check_every_keyed_MAC_with_the_log_key_and_name_a_changed_entry()
    {
        using var key = EvidenceSamples.NewKey();
        var intact = await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key);
        // Someone with database access but without the log key changes a text and keeps every link and the head.
        var rewritten = await EvidenceSamples.WriteAsync(
            EvidenceSamples.Content(entries => entries[3] = entries[3] with { Text = "Refunds within 30 days." }), key);

        var checkedIntact = await EvidenceSamples.VerifyAsync(intact, EvidenceSamples.WithLogKey());
        var linksOnly = await EvidenceSamples.VerifyAsync(rewritten);
        var withKey = await EvidenceSamples.VerifyAsync(rewritten, EvidenceSamples.WithLogKey());
        var otherKey = new ChatEvidenceVerifyOptions();
        otherKey.LogKeys["another-key"] = new byte[32];
        var unknown = await EvidenceSamples.VerifyAsync(intact, otherKey);

        Assert.True(checkedIntact.IsValid, string.Join("\n", checkedIntact.Problems));
        Assert.True(checkedIntact.MacsChecked);
        Assert.True(linksOnly.IsValid);
        Assert.False(linksOnly.MacsChecked);
        Assert.False(withKey.IsValid);
        Assert.Equal(
            "transaction-chat/log.json: entry #4: ContentChanged: its keyed MAC does not match its content; a field of this entry (or its hash) was changed.",
            Assert.Single(withKey.Problems).ToString());
        Assert.Contains(unknown.Problems, p => p.Sequence == 1 && p.Description.StartsWith("UnknownKey: it is keyed with 'log-test'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Say_so_when_the_input_is_not_a_zip()
    {
        var result = await EvidenceSamples.VerifyAsync("this is not a bundle"u8.ToArray());

        Assert.False(result.IsValid);
        Assert.Equal("(bundle)", Assert.Single(result.Problems).File);
    }

    [Fact]
    public async Task Refuse_to_export_an_attachment_whose_bytes_no_longer_match_their_hash()
    {
        using var key = EvidenceSamples.NewKey();
        var content = EvidenceSamples.Content();
        var swapped = content with
        {
            Attachments = [.. content.Attachments.Select(a => a.Id == EvidenceSamples.InvoiceId
                ? a with { OpenContent = _ => Task.FromResult<Stream?>(new MemoryStream("%PDF-1.4 another invoice"u8.ToArray())) }
                : a)],
        };

        var refusal = await Assert.ThrowsAsync<ChatException>(() => EvidenceSamples.WriteAsync(swapped, key));

        Assert.Equal(ChatErrorCode.EvidenceUnverifiable, refusal.Code);
        Assert.Contains(EvidenceSamples.InvoiceId.ToString("D"), refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuse_an_expected_fingerprint_that_is_not_a_sha256()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => EvidenceSamples.VerifyAsync([1, 2, 3], new() { ExpectedFingerprint = "abc" }));
    }
}

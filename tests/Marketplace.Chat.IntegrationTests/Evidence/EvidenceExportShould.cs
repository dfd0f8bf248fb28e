using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Evidence;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Evidence;

/// <summary>
/// The dispute evidence export end to end: a real host (Kestrel, PostgreSQL), an image uploaded over HTTP, edits,
/// deletions, a host notice, the admin's GET of the bundle, and the bundle checked offline.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EvidenceExportShould(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Admin = "admin-evidence";
    private readonly string _storage = Path.Combine(Path.GetTempPath(), $"mpchat-evidence-{Guid.NewGuid():N}");
    private static readonly ChatEvidenceSigningKey Key = new("shop-evidence-test", ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private ChatTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ChatTestHost.StartAsync(
        await postgres.CreateDatabaseAsync(nameof(EvidenceExportShould)),
        o =>
        {
            o.SendBurst = 1000;
            o.MaxSendsPerSecond = 1000;
            o.Attachments.StorageRoot = _storage;
        },
        chat: c => c.AddEvidenceExport(o => o.SigningKey = Key));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }

    [Fact]
    public async Task Give_the_admin_a_bundle_that_verifies_offline_and_fails_on_any_changed_byte()
    {
        var deal = await DisputedDealAsync();

        using var response = await _host.Http(Admin + "|Admin").GetAsync($"/chat/disputes/{deal.DisputeId}/evidence");
        var bundle = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith($"evidence-{deal.DisputeId}-", response.Content.Headers.ContentDisposition?.FileName, StringComparison.Ordinal);
        Assert.Equal(Key.Fingerprint, response.Headers.GetValues("X-Evidence-Key-Fingerprint").Single());
        var options = new ChatEvidenceVerifyOptions { ExpectedFingerprint = Key.Fingerprint };
        options.LogKeys[TestLogKeys.CurrentId] = TestLogKeys.Current;
        var result = await ChatEvidenceBundle.VerifyAsync(new MemoryStream(bundle)).WaitAsync(TimeSpan.FromSeconds(30));
        var pinned = await ChatEvidenceBundle.VerifyAsync(new MemoryStream(bundle), options).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.True(pinned.IsValid, string.Join("\n", pinned.Problems));
        Assert.True(pinned.MacsChecked);
        Assert.True(pinned.SigningKeyPinned);
        Assert.Equal((deal.DisputeId, deal.TransactionId, Admin), (pinned.DisputeId, pinned.TransactionId, pinned.ExportedBy));

        var files = Unzip(bundle);
        Assert.Contains(files.Keys, f => f.StartsWith("attachments/", StringComparison.Ordinal) && f.EndsWith(".jpg", StringComparison.Ordinal));
        foreach (var (name, bytes) in files)
        {
            foreach (var position in new[] { 0, bytes.Length / 2, bytes.Length - 1 }.Distinct())
            {
                var changed = files.ToDictionary(f => f.Key, f => f.Value);
                var copy = (byte[])bytes.Clone();
                copy[position] ^= 0x04;
                changed[name] = copy;

                var check = await ChatEvidenceBundle.VerifyAsync(new MemoryStream(Zip(changed)), options).WaitAsync(TimeSpan.FromSeconds(30));

                Assert.False(check.IsValid, $"{name} with byte {position} changed still verifies");
                var where = name == "manifest.json" ? new[] { "manifest.json", "manifest.sig" } : [name];
                Assert.True(check.Problems.Any(p => where.Contains(p.File)), $"{name} byte {position}: {string.Join(" | ", check.Problems)}");
            }
        }
    }

    [Fact]
    public async Task Put_every_entry_of_both_logs_and_the_verification_in_the_transcript()
    {
        var deal = await DisputedDealAsync();
        var admin = new ChatUser(Admin, IsAdmin: true);

        using var response = await _host.Http(Admin + "|Admin").GetAsync($"/chat/disputes/{deal.DisputeId}/evidence");
        var files = Unzip(await response.Content.ReadAsByteArrayAsync());
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(files["transcript.pdf"]);
        var pages = pdf.GetPages().ToList();
        var text = Squash(string.Concat(pages.Select(p => p.Text)));

        var written = new List<string>();
        foreach (var conversation in new[] { deal.ChatId, deal.DisputeChatId })
        {
            var evidence = await Messaging(m => m.GetEvidenceAsync(admin, conversation));
            Assert.True(evidence.Verification.IsIntact);
            written.AddRange(evidence.Entries.Where(e => !string.IsNullOrEmpty(e.Text)).Select(e => e.Text!));
            foreach (var entry in evidence.Entries)
            {
                Assert.Contains(Squash($"#{entry.Sequence}·{entry.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC·"), text, StringComparison.Ordinal);
            }
        }

        Assert.Contains("No refunds, ever.", written);
        Assert.Contains("It was already cracked when I shipped it.", written);
        Assert.All(written, w => Assert.Contains(Squash(w), text, StringComparison.Ordinal));
        Assert.Contains(Squash("Verification: transaction chat log intact (12 entries, head #12, keyed MACs checked); dispute chat log intact"), text, StringComparison.Ordinal);
        Assert.Contains(Squash("Deleted text (#5): It was already cracked when I shipped it."), text, StringComparison.Ordinal);
        Assert.Contains(Squash("Text before this edit (#3): No refunds, ever."), text, StringComparison.Ordinal);
        Assert.Contains(Key.Fingerprint, text, StringComparison.Ordinal);
        Assert.Equal(2, pages.Sum(p => p.GetImages().Count()));
    }

    [Fact]
    public async Task Answer_parties_outsiders_and_unknown_disputes_alike_and_anonymous_callers_with_401()
    {
        var deal = await DisputedDealAsync();

        var buyer = await Refusal(deal.Buyer, deal.DisputeId);
        var seller = await Refusal(deal.Seller, deal.DisputeId);
        var outsider = await Refusal("someone", deal.DisputeId);
        var unknown = await Refusal(Admin + "|Admin", "no-such-dispute");
        using var anonymous = await new HttpClient { BaseAddress = _host.BaseUrl }.GetAsync($"/chat/disputes/{deal.DisputeId}/evidence");

        foreach (var (status, code, detail) in new[] { buyer, seller, outsider, unknown })
        {
            Assert.Equal((HttpStatusCode.NotFound, "ConversationNotAvailable", Access.ChatAccessPolicy.NotAvailableReason), (status, code, detail));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain(_host.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refuse_with_EvidenceUnverifiable_when_the_log_was_altered_in_the_database()
    {
        var deal = await DisputedDealAsync();
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChatTestDbContext>();
            await db.Database.ExecuteSqlAsync(
                $"UPDATE chat.chat_entries SET \"Text\" = 'Refunds within 30 days.' WHERE \"ConversationId\" = {deal.ChatId} AND \"Sequence\" = 3");
        }

        var (status, code, detail) = await Refusal(Admin + "|Admin", deal.DisputeId);

        Assert.Equal((HttpStatusCode.Conflict, "EvidenceUnverifiable"), (status, code));
        Assert.Contains("transaction chat's log does not verify (entry #3: ContentChanged)", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stay_off_without_AddEvidenceExport_and_name_the_call_when_used_anyway()
    {
        await using var plain = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("EvidenceOff"));
        await using var scope = plain.Services.CreateAsyncScope();
        var export = scope.ServiceProvider.GetRequiredService<IChatEvidenceExport>();

        using var response = await plain.Http(Admin + "|Admin").GetAsync("/chat/disputes/d-1/evidence");
        var misuse = await Assert.ThrowsAsync<InvalidOperationException>(
            () => export.ExportDisputeAsync("d-1", new ChatUser(Admin, IsAdmin: true), Stream.Null));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("AddEvidenceExport(o => o.SigningKey = ", misuse.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Transaction chat: 1 Registered, 2 PaymentConfirmed, 3 "No refunds", 4 complaint, 5 admission, 6 photo, 7 GIF,
    /// 8 edit of 3, 9 deletion of 5, 10 notice, 11 text, 12 DisputeOpened. Dispute chat: opened, admin joined, messages, a file.
    /// </summary>
    private async Task<Deal> DisputedDealAsync()
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyer, seller) = ("buyer-" + id, "seller-" + id);
        _host.Parties.Transactions[id] = new TransactionParties(buyer, seller);
        var chat = (await _host.Lifecycle(l => l.RegisterTransactionAsync(id))).Conversation.Id;
        await _host.Lifecycle(l => l.ConfirmPaymentAsync(id));
        var (b, s) = (new ChatUser(buyer), new ChatUser(seller));
        var policy = await Messaging(m => m.SendTextAsync(s, chat, Guid.NewGuid(), "No refunds, ever."));
        await Messaging(m => m.SendTextAsync(b, chat, Guid.NewGuid(), "The screen arrived cracked."));
        var admission = await Messaging(m => m.SendTextAsync(s, chat, Guid.NewGuid(), "It was already cracked when I shipped it."));
        var photo = await UploadAsync(buyer, chat, "photo_wine.jpg");
        await Messaging(m => m.SendAttachmentAsync(b, chat, Guid.NewGuid(), photo, "the crack, on arrival"));
        var gif = await UploadAsync(buyer, chat, "cat.gif");
        await Messaging(m => m.SendAttachmentAsync(b, chat, Guid.NewGuid(), gif, null));
        await Messaging(m => m.EditAsync(s, chat, policy.Id, "Happy to discuss a refund."));
        await Messaging(m => m.DeleteAsync(s, chat, admission.Id));
        await _host.Lifecycle(l => l.PostNoticeAsync(id, "ship-" + id, new ChatNotice("ParcelShipped", "Parcel shipped, tracking 1Z999AA1", new Dictionary<string, string> { ["tracking"] = "1Z999AA1" })));
        await Messaging(m => m.SendTextAsync(b, chat, Guid.NewGuid(), "I am opening a dispute."));
        var disputeId = "d-" + id;
        var dispute = (await _host.Lifecycle(l => l.OpenDisputeAsync(id, disputeId, new ChatEventContext(buyer)))).Conversation.Id;
        var admin = new ChatUser(Admin, IsAdmin: true);
        await Messaging(m => m.SendTextAsync(admin, dispute, Guid.NewGuid(), "Please both send what you have."));
        await Messaging(m => m.SendTextAsync(s, dispute, Guid.NewGuid(), "Here is the shipping receipt."));
        var receipt = await UploadAsync(seller, dispute, "lettre_fr.txt");
        await Messaging(m => m.SendAttachmentAsync(s, dispute, Guid.NewGuid(), receipt, "receipt"));
        return new Deal(id, disputeId, chat, dispute, buyer, seller);
    }

    private async Task<Guid> UploadAsync(string user, Guid conversationId, string corpusFile)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(CorpusFiles.Read(corpusFile));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", corpusFile);
        using var response = await _host.Http(user).PostAsync($"/chat/conversations/{conversationId}/attachments", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("id").GetGuid();
    }

    private async Task<(HttpStatusCode Status, string? Code, string? Detail)> Refusal(string token, string disputeId)
    {
        using var response = await _host.Http(token).GetAsync($"/chat/disputes/{Uri.EscapeDataString(disputeId)}/evidence");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.GetProperty("code").GetString(), json.RootElement.GetProperty("detail").GetString());
    }

    private async Task<T> Messaging<T>(Func<IChatMessaging, Task<T>> call)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<IChatMessaging>());
    }

    private static Dictionary<string, byte[]> Unzip(byte[] bundle)
    {
        using var zip = new ZipArchive(new MemoryStream(bundle), ZipArchiveMode.Read);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        });
    }

    private static byte[] Zip(Dictionary<string, byte[]> files)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                s.Write(bytes);
            }
        }

        return output.ToArray();
    }

    private static string Squash(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    private sealed record Deal(string TransactionId, string DisputeId, Guid ChatId, Guid DisputeChatId, string Buyer, string Seller);
}

using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Marketplace.Chat.Evidence;
using Marketplace.Chat.Messages;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Marketplace.Chat.Tests.Evidence;

/// <summary>A synthetic dispute: a transaction chat with texts, an image, a file, an edit, a deletion, system entries and a notice; its dispute chat.</summary>
internal static class EvidenceSamples
{
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 14, 0, 0, TimeSpan.Zero);
    public static readonly Guid TransactionChatId = Guid.Parse("11111111-1111-1111-1111-111111111111");
    public static readonly Guid DisputeChatId = Guid.Parse("22222222-2222-2222-2222-222222222222");
    public static readonly Guid PhotoId = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    public static readonly Guid ScreenshotId = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000002");
    public static readonly Guid InvoiceId = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000003");

    public static readonly byte[] Photo = Jpeg(640, 480, new Rgb24(200, 60, 40));
    public static readonly byte[] PhotoPreview = Jpeg(160, 120, new Rgb24(200, 60, 40));
    public static readonly byte[] Screenshot = Png(300, 500, new Rgb24(30, 90, 200));
    public static readonly byte[] Invoice = Encoding.ASCII.GetBytes("%PDF-1.4\n% a stand-in invoice, never opened by the export\n%%EOF\n");

    /// <summary>Texts every transcript must show (the ones of deleted and edited entries included).</summary>
    public static readonly string[] Texts =
    [
        "Bonjour, the lamp is packed and ready.",
        "No refunds, ever.",
        "Happy to discuss a refund.",
        "It was already cracked when I shipped it",
        "Here is the crack, photographed on arrival.",
        "Invoice attached",
        "The parcel left our warehouse.",
        "I am reviewing both sides now.",
        "The seller changed his message after I complained.",
        "I only corrected a typo.",
    ];

    public static EvidenceBundleContent Content(Action<List<EvidenceEntry>>? changeTransactionEntries = null, EvidenceHead? head = null)
    {
        var tx = new LogBuilder(TransactionChatId);
        tx.System("TransactionRegistered", "The chat opens when payment is confirmed.");
        tx.System("PaymentConfirmed", "Payment confirmed: the chat is open.");
        var hello = tx.Message("seller-7", "Seller", Texts[0]);
        var refunds = tx.Message("seller-7", "Seller", Texts[1]);
        tx.Message("buyer-3", "Buyer", Texts[4], "Image", PhotoId, Photo);
        var cracked = tx.Message("seller-7", "Seller", Texts[3]);
        tx.Message("buyer-3", "Buyer", "", "Image", ScreenshotId, Screenshot);
        tx.Edit("seller-7", "Seller", refunds, Texts[2]);
        tx.Delete("seller-7", "Seller", cracked);
        tx.Notice("ParcelShipped", Texts[6], """{"carrier":"UPS","tracking":"1Z999AA10123456784"}""", "shop-evt-41");
        tx.System("DisputeOpened", "A dispute was opened: the chat is frozen as evidence.");
        _ = hello;

        var entries = tx.Entries;
        changeTransactionEntries?.Invoke(entries);

        var dispute = new LogBuilder(DisputeChatId);
        dispute.System("DisputeOpened", "Dispute opened.");
        dispute.System("AdminJoined", "An administrator joined.", "admin-1", "Admin");
        dispute.Message("admin-1", "Admin", Texts[7]);
        dispute.Message("buyer-3", "Buyer", Texts[8]);
        dispute.Message("seller-7", "Seller", Texts[9]);
        dispute.Message("seller-7", "Seller", Texts[5], "File", InvoiceId, Invoice);

        return new EvidenceBundleContent(
            "D-2026-0042",
            "T-9001",
            Start.AddDays(1),
            "admin-1",
            Conversation(TransactionChatId, "Transaction", null, "Frozen", [P("buyer-3", "Buyer"), P("seller-7", "Seller")], entries, head,
                [T(null, "PendingPayment", "TransactionRegistered", "shop"), T("PendingPayment", "Open", "PaymentConfirmed", "payments", "evt_1"), T("Open", "Frozen", "DisputeOpened", "buyer-3")]),
            Conversation(DisputeChatId, "Dispute", "D-2026-0042", "UnderReview", [P("buyer-3", "Buyer"), P("seller-7", "Seller"), P("admin-1", "Admin")], dispute.Entries, null,
                [T(null, "Open", "DisputeOpened", "buyer-3"), T("Open", "UnderReview", "AdminJoined", "admin-1")]),
            [
                Attachment(PhotoId, TransactionChatId, "Image", "crack.jpg", "image/jpeg", Photo, 640, 480, PhotoPreview),
                Attachment(ScreenshotId, TransactionChatId, "Image", "screenshot.png", "image/png", Screenshot, 300, 500, null),
                Attachment(InvoiceId, DisputeChatId, "File", "invoice.pdf", "application/pdf", Invoice, null, null, null),
            ]);
    }

    public static async Task<byte[]> WriteAsync(EvidenceBundleContent content, ChatEvidenceSigningKey key)
    {
        using var output = new MemoryStream();
        await EvidenceBundleWriter.WriteAsync(content, key, output).WaitAsync(TimeSpan.FromSeconds(60));
        return output.ToArray();
    }

    public static ChatEvidenceSigningKey NewKey(string id = "test-evidence-key") => new(id, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static Dictionary<string, byte[]> Unzip(byte[] bundle)
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

    public static byte[] Zip(IEnumerable<KeyValuePair<string, byte[]>> files)
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

    public static ChatEvidenceVerifyOptions WithLogKey(ChatEvidenceVerifyOptions? options = null)
    {
        options ??= new ChatEvidenceVerifyOptions();
        options.LogKeys[LogKeyId] = LogKey;
        return options;
    }

    public static async Task<ChatEvidenceVerification> VerifyAsync(byte[] bundle, ChatEvidenceVerifyOptions? options = null) =>
        await ChatEvidenceBundle.VerifyAsync(new MemoryStream(bundle, writable: false), options).WaitAsync(TimeSpan.FromSeconds(30));

    private static EvidenceConversation Conversation(
        Guid id, string kind, string? disputeId, string state, EvidenceParticipant[] participants, List<EvidenceEntry> entries, EvidenceHead? head, EvidenceTransition[] transitions) =>
        new(id, kind, "T-9001", disputeId, state, participants,
            head ?? new EvidenceHead(entries.Count == 0 ? 0 : entries[^1].Sequence, entries.Count == 0 ? new string('0', 64) : entries[^1].Hash),
            entries, transitions, new EvidenceChainResult(true, entries.Count, null, null, true));

    private static EvidenceParticipant P(string user, string role) => new(user, role, Start);

    private static EvidenceTransition T(string? from, string to, string trigger, string? actor, string? eventId = null) =>
        new(from, to, trigger, actor, eventId, Start.AddMinutes(1));

    private static EvidenceAttachment Attachment(
        Guid id, Guid conversation, string kind, string name, string type, byte[] bytes, int? width, int? height, byte[]? preview) =>
        new(id, conversation, kind, name, type, bytes.Length, width, height, Convert.ToHexStringLower(SHA256.HashData(bytes)), false, Start,
            _ => Task.FromResult<Stream?>(new MemoryStream(bytes, writable: false)),
            preview is null ? null : _ => Task.FromResult<Stream?>(new MemoryStream(preview, writable: false)),
            preview is null ? null : "image/jpeg");

    private static byte[] Jpeg(int width, int height, Rgb24 colour)
    {
        using var image = new Image<Rgb24>(width, height, colour);
        using var output = new MemoryStream();
        image.SaveAsJpeg(output);
        return output.ToArray();
    }

    private static byte[] Png(int width, int height, Rgb24 colour)
    {
        using var image = new Image<Rgb24>(width, height, colour);
        using var output = new MemoryStream();
        image.SaveAsPng(output);
        return output.ToArray();
    }

    /// <summary>The log key the sample entries are chained with.</summary>
    public const string LogKeyId = "log-test";

    public static readonly byte[] LogKey = SHA256.HashData("the sample's log key"u8);

    /// <summary>Builds a log chained with the log's own hasher and <see cref="LogKey"/>.</summary>
    private sealed class LogBuilder(Guid conversationId)
    {
        public List<EvidenceEntry> Entries { get; } = [];

        public EvidenceEntry System(string code, string text, string? sender = null, string? role = null) =>
            Add(Guid.NewGuid(), "System", code, sender, role, text, null, null, null, null);

        public EvidenceEntry Notice(string code, string text, string parameters, string eventId) =>
            Add(Guid.NewGuid(), "Notice", code, null, null, text, null, null, null, parameters, eventId);

        public EvidenceEntry Message(string sender, string role, string text, string kind = "Text", Guid? attachment = null, byte[]? bytes = null) =>
            Add(Guid.NewGuid(), kind, null, sender, role, text, null, attachment, bytes is null ? null : Convert.ToHexStringLower(SHA256.HashData(bytes)), null);

        public EvidenceEntry Edit(string sender, string role, EvidenceEntry target, string text) =>
            Add(Guid.NewGuid(), "Edit", null, sender, role, text, target, null, null, null);

        public EvidenceEntry Delete(string sender, string role, EvidenceEntry target) =>
            Add(Guid.NewGuid(), "Deletion", null, sender, role, null, target, null, null, null);

        private EvidenceEntry Add(
            Guid id, string kind, string? code, string? sender, string? role, string? text, EvidenceEntry? target, Guid? attachment, string? sha, string? parameters, string? eventId = null)
        {
            var sequence = Entries.Count + 1L;
            var previous = Entries.Count == 0 ? new string('0', 64) : Entries[^1].Hash;
            var entry = new EvidenceEntry(
                sequence, id, kind, code, sender, role, text, target?.Id, target?.Sequence, attachment, sha, parameters, eventId,
                Start.AddMinutes(sequence * 3), LogKeyId, previous, "");
            entry = entry with { Hash = EntryHasher.Compute(LogKey, EvidenceLoader.ToRecord(conversationId, entry)!) };
            Entries.Add(entry);
            return entry;
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Attachments;

/// <summary>
/// Attachments end to end on a real host (Kestrel, PostgreSQL, SignalR over WebSockets): upload over HTTP, the
/// inspection's verdicts, storage, download headers, access on every request, messages and the sweep.
/// Split by concern into partial files.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class AttachmentsShould(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Admin = "admin-att|Admin";
    private const string Outsider = "outsider-att";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly List<string> _storageRoots = [];
    private ChatTestHost _host = null!;
    private string _storageRoot = null!;

    public async Task InitializeAsync()
    {
        (_host, _storageRoot) = await StartHostAsync(nameof(AttachmentsShould));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        foreach (var root in _storageRoots.Where(Directory.Exists))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Starts a host with its own database and storage folder; the rate limit is out of the way unless a test sets it.</summary>
    private async Task<(ChatTestHost Host, string StorageRoot)> StartHostAsync(string name, Action<ChatOptions>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), $"mpchat-attachments-{Guid.NewGuid():N}");
        _storageRoots.Add(root);
        var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync(name), o =>
        {
            o.SendBurst = 1000;
            o.MaxSendsPerSecond = 1000;
            o.Limits.Uploads.Burst = 1000;
            o.Limits.Uploads.PerSecond = 1000;
            o.Attachments.StorageRoot = root;
            configure?.Invoke(o);
        });
        return (host, root);
    }

    /// <summary>Registers a transaction with fresh buyer and seller ids and returns its conversation id.</summary>
    private static async Task<Deal> NewDealAsync(ChatTestHost host, bool paid = true)
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyer, seller) = ("buyer-" + id, "seller-" + id);
        host.Parties.Transactions[id] = new TransactionParties(buyer, seller);
        var registered = await host.Lifecycle(l => l.RegisterTransactionAsync(id));
        if (paid)
        {
            await host.Lifecycle(l => l.ConfirmPaymentAsync(id));
        }

        return new Deal(id, buyer, seller, registered.Conversation.Id);
    }

    private Task<Deal> NewDealAsync(bool paid = true) => NewDealAsync(_host, paid);

    private static async Task<HttpResponseMessage> UploadAsync(
        ChatTestHost host, string token, Guid conversationId, byte[] content, string fileName = "file.bin", string declaredType = "application/octet-stream")
    {
        using var http = host.Http(token);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(declaredType);
        form.Add(file, "file", fileName);
        return await http.PostAsync($"/chat/conversations/{conversationId}/attachments", form);
    }

    private Task<HttpResponseMessage> UploadAsync(string token, Guid conversationId, byte[] content, string fileName = "file.bin", string declaredType = "application/octet-stream") =>
        UploadAsync(_host, token, conversationId, content, fileName, declaredType);

    /// <summary>Uploads content that must be accepted and returns what the server says it stored.</summary>
    private static async Task<ChatAttachmentInfo> UploadAcceptedAsync(ChatTestHost host, string token, Guid conversationId, byte[] content, string fileName)
    {
        using var response = await UploadAsync(host, token, conversationId, content, fileName);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{fileName}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<ChatAttachmentInfo>(body, Json)!;
    }

    private Task<ChatAttachmentInfo> UploadAcceptedAsync(string token, Guid conversationId, byte[] content, string fileName) =>
        UploadAcceptedAsync(_host, token, conversationId, content, fileName);

    private async Task<HttpResponseMessage> DownloadAsync(string? token, Guid attachmentId, Action<HttpRequestMessage>? configure = null)
    {
        using var http = token is null ? new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromSeconds(30) } : _host.Http(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/chat/attachments/{attachmentId}");
        configure?.Invoke(request);
        return await http.SendAsync(request);
    }

    /// <summary>Reads a ProblemDetails response and returns its status and stable code.</summary>
    private static async Task<(HttpStatusCode Status, string Code)> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var code = problem.GetProperty("code").GetString()!;
        Assert.Equal(code, problem.GetProperty("title").GetString());
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        return (response.StatusCode, code);
    }

    private static async Task<string> CodeOf(HttpResponseMessage response) => (await ProblemOf(response)).Code;

    /// <summary>Gets the attachment rows of a conversation, straight from the database.</summary>
    private static async Task<List<AttachmentRecord>> RowsAsync(ChatTestHost host, Guid conversationId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChatTestDbContext>().Set<AttachmentRecord>().AsNoTracking()
            .Where(a => a.ConversationId == conversationId).ToListAsync();
    }

    private static List<string> StoredFiles(string root) =>
        Directory.Exists(root) ? [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)] : [];

    /// <summary>A transaction chat and its parties.</summary>
    private sealed record Deal(string TransactionId, string Buyer, string Seller, Guid ConversationId);
}

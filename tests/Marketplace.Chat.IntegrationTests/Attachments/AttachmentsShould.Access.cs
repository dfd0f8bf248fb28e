using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Chat.Access;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Attachments;

public sealed partial class AttachmentsShould
{
    public static TheoryData<string> TransactionStates() => ["PendingPayment", "Open", "Frozen", "Closed", "ClosedAfterDispute"];

    public static TheoryData<string> DisputeStates() => ["Open", "UnderReview", "Resolved"];

    [Theory]
    [MemberData(nameof(TransactionStates))]
    public async Task Accept_uploads_to_a_transaction_chat_only_from_those_who_may_write_in_its_state(string state)
    {
        var deal = await NewDealAsync(paid: state != "PendingPayment");
        var (chatState, disputed) = await MoveTransactionAsync(deal, state);

        foreach (var (token, relation) in new[] { (deal.Buyer, ChatRelation.Buyer), (deal.Seller, ChatRelation.Seller), (Admin, ChatRelation.Admin), (Outsider, ChatRelation.Outsider) })
        {
            var decision = ChatAccessPolicy.Decide(ConversationKind.Transaction, chatState, relation, ChatAction.Write, disputed);
            await AssertUploadOutcomeAsync(token, deal.ConversationId, decision, $"{state} {relation}");
        }
    }

    [Theory]
    [MemberData(nameof(DisputeStates))]
    public async Task Accept_uploads_to_a_dispute_chat_only_from_those_who_may_write_in_its_state(string state)
    {
        var deal = await NewDealAsync();
        var dispute = await OpenDisputeAsync(deal, state);

        foreach (var (token, relation) in new[] { (deal.Buyer, ChatRelation.Buyer), (deal.Seller, ChatRelation.Seller), (Admin, ChatRelation.Admin), (Outsider, ChatRelation.Outsider) })
        {
            var decision = ChatAccessPolicy.Decide(ConversationKind.Dispute, Enum.Parse<ChatState>(state), relation, ChatAction.Write, false);
            await AssertUploadOutcomeAsync(token, dispute, decision, $"{state} {relation}");
        }
    }

    [Fact]
    public async Task Refuse_uploads_from_anonymous_callers_and_to_unknown_conversations_like_foreign_ones()
    {
        var deal = await NewDealAsync();
        using (var anonymous = new HttpClient { BaseAddress = _host.BaseUrl, Timeout = TimeSpan.FromSeconds(30) })
        using (var form = new MultipartFormDataContent { { new ByteArrayContent("hi"u8.ToArray()), "file", "hi.txt" } })
        using (var response = await anonymous.PostAsync($"/chat/conversations/{deal.ConversationId}/attachments", form))
        {
            Assert.Equal((HttpStatusCode.Unauthorized, "AuthenticationRequired"), await ProblemOf(response));
        }

        using var unknown = await UploadAsync(deal.Buyer, Guid.NewGuid(), "hi"u8.ToArray(), "hi.txt");
        using var foreign = await UploadAsync(Outsider, deal.ConversationId, "hi"u8.ToArray(), "hi.txt");
        var unknownProblem = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        var foreignProblem = await foreign.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("ConversationNotAvailable", unknownProblem.GetProperty("code").GetString());
        Assert.Equal(unknownProblem.GetProperty("detail").GetString(), foreignProblem.GetProperty("detail").GetString());
        Assert.Empty(await RowsAsync(_host, deal.ConversationId));
    }

    [Fact]
    public async Task Serve_a_sent_attachment_to_whoever_may_read_the_conversation_in_each_state_and_to_nobody_else()
    {
        var deal = await NewDealAsync();
        var sent = await UploadAndSendAsync(deal, deal.Buyer, "photo_bali_small.jpg");

        await AssertDownloadsAsync(sent.Id, "Open", (deal.Buyer, true), (deal.Seller, true), (Admin, false), (Outsider, false));

        await _host.Lifecycle(l => l.OpenDisputeAsync(deal.TransactionId, "d-" + deal.TransactionId));
        await AssertDownloadsAsync(sent.Id, "Frozen", (deal.Buyer, true), (deal.Seller, true), (Admin, true), (Outsider, false));

        await _host.Lifecycle(l => l.ResolveDisputeAsync("d-" + deal.TransactionId, DisputeOutcome.CloseTransaction));
        await AssertDownloadsAsync(sent.Id, "Closed", (deal.Buyer, true), (deal.Seller, true), (Admin, true), (Outsider, false));

        using var anonymous = await DownloadAsync(null, sent.Id);
        Assert.Equal((HttpStatusCode.Unauthorized, "AuthenticationRequired"), await ProblemOf(anonymous));
    }

    [Fact]
    public async Task Answer_a_missing_attachment_exactly_like_a_forbidden_one()
    {
        var deal = await NewDealAsync();
        var sent = await UploadAndSendAsync(deal, deal.Buyer, "diagram.png");

        using var missing = await DownloadAsync(deal.Buyer, Guid.NewGuid());
        using var forbidden = await DownloadAsync(Outsider, sent.Id);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var missingBody = (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetRawText();
        var forbiddenBody = (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetRawText();
        Assert.Equal(StripTraceId(missingBody), StripTraceId(forbiddenBody));
        Assert.Contains("AttachmentNotAvailable", missingBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_an_unsent_upload_to_its_uploader_only()
    {
        var deal = await NewDealAsync();
        var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, CorpusFiles.Read("diagram.png"), "diagram.png");
        await _host.Lifecycle(l => l.OpenDisputeAsync(deal.TransactionId, "d-" + deal.TransactionId));

        // Even the admin, who may now read the transaction chat as evidence, sees only what was sent.
        await AssertDownloadsAsync(upload.Id, "unsent", (deal.Buyer, true), (deal.Seller, false), (Admin, false), (Outsider, false));
    }

    [Fact]
    public async Task Serve_a_dispute_attachment_to_both_parties_and_every_administrator()
    {
        var deal = await NewDealAsync();
        var dispute = await OpenDisputeAsync(deal, "Open");
        var upload = await UploadAcceptedAsync(Admin, dispute, CorpusFiles.Read("shared-mime-info-spec.pdf"), "ruling.pdf");
        await using var admin = await ChatClientProbe.ConnectAsync(_host.Connect("disputes", Admin));
        await admin.Invoke<ChatSnapshot>("Join", "d-" + deal.TransactionId);
        await admin.Invoke<ChatMessage>("SendAttachment", dispute, Guid.NewGuid(), upload.Id, "The ruling.");

        await AssertDownloadsAsync(upload.Id, "dispute", (deal.Buyer, true), (deal.Seller, true), (Admin, true), ("another-admin|Admin", true), (Outsider, false));
    }

    [Fact]
    public async Task Withhold_the_attachment_of_a_deleted_message()
    {
        var deal = await NewDealAsync();
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", deal.Buyer));
        await buyer.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        var upload = await UploadAcceptedAsync(deal.Buyer, deal.ConversationId, CorpusFiles.Read("diagram.png"), "diagram.png");
        var message = await buyer.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, Guid.NewGuid(), upload.Id, null);

        var deleted = await buyer.Invoke<ChatMessage>("Delete", deal.ConversationId, message.Id);

        Assert.True(deleted.IsDeleted);
        Assert.Null(deleted.Attachment);
        await AssertDownloadsAsync(upload.Id, "deleted", (deal.Buyer, false), (deal.Seller, false));
        var history = await buyer.Invoke<ChatHistoryPage>("History", deal.ConversationId, null, null, 10);
        Assert.Null(Assert.Single(history.Messages, m => m.Id == message.Id).Attachment);
    }

    private async Task AssertUploadOutcomeAsync(string token, Guid conversationId, AccessDecision decision, string what)
    {
        using var response = await UploadAsync(token, conversationId, "matrix"u8.ToArray(), "matrix.txt");
        var outcome = response.StatusCode == HttpStatusCode.Created ? "ok" : (await ProblemOf(response)).Code;
        Assert.Equal((what, decision.Allowed ? "ok" : decision.Code.ToString()), (what, outcome));
    }

    private async Task AssertDownloadsAsync(Guid attachmentId, string what, params (string Token, bool Allowed)[] cases)
    {
        foreach (var (token, allowed) in cases)
        {
            using var response = await DownloadAsync(token, attachmentId);
            var outcome = response.StatusCode == HttpStatusCode.OK ? "ok" : (await ProblemOf(response)).Code;
            Assert.Equal((what, token, allowed ? "ok" : "AttachmentNotAvailable"), (what, token, outcome));
        }
    }

    private async Task<(ChatState State, bool Disputed)> MoveTransactionAsync(Deal deal, string state)
    {
        switch (state)
        {
            case "Frozen":
                await _host.Lifecycle(l => l.OpenDisputeAsync(deal.TransactionId, "d-" + deal.TransactionId));
                return (ChatState.Frozen, true);
            case "Closed":
                await _host.Lifecycle(l => l.CompleteAsync(deal.TransactionId));
                return (ChatState.Closed, false);
            case "ClosedAfterDispute":
                await _host.Lifecycle(l => l.OpenDisputeAsync(deal.TransactionId, "d-" + deal.TransactionId));
                await _host.Lifecycle(l => l.ResolveDisputeAsync("d-" + deal.TransactionId, DisputeOutcome.CloseTransaction));
                return (ChatState.Closed, true);
            default:
                return (Enum.Parse<ChatState>(state), false);
        }
    }

    private async Task<Guid> OpenDisputeAsync(Deal deal, string state)
    {
        var disputeId = "d-" + deal.TransactionId;
        var dispute = (await _host.Lifecycle(l => l.OpenDisputeAsync(deal.TransactionId, disputeId))).Conversation.Id;
        if (state == "UnderReview")
        {
            await using var joining = await ChatClientProbe.ConnectAsync(_host.Connect("disputes", "admin-first|Admin"));
            await joining.Invoke<ChatSnapshot>("Join", disputeId);
        }
        else if (state == "Resolved")
        {
            await _host.Lifecycle(l => l.ResolveDisputeAsync(disputeId, DisputeOutcome.ResumeTransaction));
        }

        return dispute;
    }

    /// <summary>Uploads a corpus file as <paramref name="token"/> and sends it in the transaction chat through the hub.</summary>
    private async Task<ChatAttachmentInfo> UploadAndSendAsync(Deal deal, string token, string file)
    {
        var upload = await UploadAcceptedAsync(token, deal.ConversationId, CorpusFiles.Read(file), file);
        await using var client = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", token));
        await client.Invoke<ChatSnapshot>("Join", deal.TransactionId);
        var message = await client.Invoke<ChatMessage>("SendAttachment", deal.ConversationId, Guid.NewGuid(), upload.Id, null);
        Assert.Equal(upload.Id, message.AttachmentId);
        return upload;
    }

    private static string StripTraceId(string problem) =>
        System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}

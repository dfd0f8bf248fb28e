using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.IntegrationTests.Routing;

/// <summary>The helpers a host uses instead of re-implementing them: ProblemDetails for refusals, and the telemetry names.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HostHelpersShould(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Answer_a_refusal_thrown_by_a_host_endpoint_with_the_chats_problem_details_and_no_error_log()
    {
        var logs = new CapturedLogs();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.Services.AddDbContext<ChatTestDbContext>(o => o.UseNpgsql(postgres.AdminConnectionString));
        builder.Services.AddMarketplaceChat()
            .AddEntityFrameworkStores<ChatTestDbContext>()
            .AddTransactionPartyResolver(new TestParties())
            .AddLogKey(TestLogKeys.CurrentId, TestLogKeys.Current)
            .AddProblemDetails();
        await using var app = builder.Build();
        app.UseExceptionHandler();
        app.MapGet("/refuse/{code}", (ChatErrorCode code) => { throw new ChatException(code, "Refused for the test."); });
        app.MapGet("/fail", () => { throw new InvalidOperationException("not a refusal"); });
        using var timeout = new CancellationTokenSource(Timeout);
        await app.StartAsync(timeout.Token);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()) };

        foreach (var (code, status) in new[] { (ChatErrorCode.RateLimited, 429), (ChatErrorCode.Unavailable, 503), (ChatErrorCode.ConversationNotAvailable, 404), (ChatErrorCode.TransitionRefused, 409) })
        {
            using var response = await http.GetAsync($"/refuse/{code}", timeout.Token);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            Assert.Equal(code.ToString(), body.RootElement.GetProperty("code").GetString());
            Assert.Equal(code.ToString(), body.RootElement.GetProperty("title").GetString());
            Assert.Equal("Refused for the test.", body.RootElement.GetProperty("detail").GetString());
        }

        using (var failed = await http.GetAsync("/fail", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.DoesNotContain("not a refusal", await failed.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        }

        await app.StopAsync(timeout.Token);
        var errors = logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)).ToList();
        Assert.Single(errors, l => l.Contains("not a refusal", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, l => l.Contains("Refused for the test.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Trace_lifecycle_calls_and_hub_calls_on_the_published_activity_source_with_the_refusal_code()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ChatDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("traces"));
        var transaction = "tx-trace-" + Guid.NewGuid().ToString("N")[..8];
        host.Parties.Transactions[transaction] = new TransactionParties("b-trace", "s-trace");

        await host.Lifecycle(l => l.RegisterTransactionAsync(transaction));
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-trace"));
        var snapshot = await buyer.Invoke<ChatSnapshot>("Join", transaction);
        Assert.Equal("ChatLocked", await buyer.Refusal("Send", snapshot.ConversationId, Guid.NewGuid(), "too early"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync(transaction));

        var mine = activities.Where(a => a.GetTagItem("marketplace.chat.transaction_id") as string == transaction).ToList();
        Assert.Equal(["ChatLifecycle/RegisterTransaction", "ChatLifecycle/ConfirmPayment"], mine.Select(a => a.OperationName));
        Assert.Equal("Open", mine[^1].GetTagItem("marketplace.chat.state"));
        Assert.Contains(activities, a => a.OperationName == "TransactionChatHub/Send"
            && a.GetTagItem("marketplace.chat.refusal") as string == "ChatLocked" && a.Status == ActivityStatusCode.Error);
        Assert.Contains(activities, a => a.OperationName == "TransactionChatHub/Join" && a.Status == ActivityStatusCode.Unset);
    }
}

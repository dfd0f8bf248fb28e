using System.Collections.Concurrent;
using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.IntegrationTests.Notifications;

[Collection(PostgresCollection.Name)]
public sealed class WebhookShould(PostgresFixture postgres)
{
    private const string Secret = "whsec-0123456789abcdef";

    [Fact]
    public async Task Deliver_once_with_the_same_signed_delivery_id_to_a_receiver_that_fails_twice()
    {
        var requests = new ConcurrentQueue<(string Delivery, string Timestamp, string Signature, string Body, int Status)>();
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await StartReceiverAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var delivery = context.Request.Headers["X-Chat-Delivery"].ToString();
            var tries = requests.Count(r => r.Delivery == delivery);
            var status = tries < 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            requests.Enqueue((delivery, context.Request.Headers["X-Chat-Timestamp"].ToString(), context.Request.Headers["X-Chat-Signature"].ToString(), body, status));
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status200OK)
            {
                accepted.TrySetResult();
            }
        });
        var url = new Uri(receiver.Urls.Single() + "/hook");
        await using var host = await ChatTestHost.StartAsync(
            await postgres.CreateDatabaseAsync("webhook"),
            o =>
            {
                o.Notifications.PollInterval = TimeSpan.FromMilliseconds(100);
                o.Notifications.RetryBackoff = TimeSpan.FromMilliseconds(100);
                o.Notifications.MaxAttempts = 5;
            },
            chat: b => b.AddWebhookNotifications(w => { w.Url = url; w.Secret = Secret; }));
        host.Parties.Transactions["tx-w"] = new TransactionParties("b", "s");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-w"));
        await host.Lifecycle(l => l.CancelAsync("tx-w", new Marketplace.Chat.Lifecycle.ChatEventContext("b")));

        await accepted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var tries = requests.ToList();
        Assert.Equal(3, tries.Count);
        Assert.Single(tries.Select(t => t.Delivery).Distinct());
        Assert.Equal([503, 503, 200], tries.Select(t => t.Status));
        foreach (var attempt in tries)
        {
            // Written out here rather than through the library's helper, so a change of the signed bytes fails this test.
            var mac = System.Security.Cryptography.HMACSHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(Secret), System.Text.Encoding.UTF8.GetBytes(attempt.Timestamp + "." + attempt.Body));
            Assert.Equal("sha256=" + Convert.ToHexStringLower(mac), attempt.Signature);
            Assert.True(ChatWebhookSignature.Verify(Secret, attempt.Body, attempt.Timestamp, attempt.Signature, DateTimeOffset.UtcNow));
            Assert.False(ChatWebhookSignature.Verify("another-secret-123", attempt.Body, attempt.Timestamp, attempt.Signature, DateTimeOffset.UtcNow));
        }

        using var json = JsonDocument.Parse(tries[^1].Body);
        Assert.Equal(tries[0].Delivery, json.RootElement.GetProperty("id").GetString());
        Assert.Equal("s", json.RootElement.GetProperty("recipientId").GetString());
        Assert.Equal("ChatClosed", json.RootElement.GetProperty("kind").GetString());
    }

    private static async Task<WebApplication> StartReceiverAsync(RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook", handle);
        await app.StartAsync();
        _ = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        return app;
    }
}

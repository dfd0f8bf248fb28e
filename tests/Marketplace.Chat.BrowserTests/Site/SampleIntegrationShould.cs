using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Notifications;
using Marketplace.Chat.Sample.Chat;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Marketplace.Chat.BrowserTests.Site;

/// <summary>What the sample shows beyond the chat's ten lines: the built-in webhook with a verifying receiver, OpenTelemetry.</summary>
[Collection(SampleHostGroup.Name)]
public sealed class SampleIntegrationShould(SampleHostFixture host)
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deliver_signed_notifications_to_its_receiver_when_the_webhook_is_switched_on()
    {
        var port = FreePort();
        await using var sample = await host.StartAsync("Development", $"urls=http://127.0.0.1:{port}", "Sample:Webhook:Enabled=true", "Sample:Webhook:Secret=sample-webhook-secret-0123");
        using var buyer = await sample.SignedInAsync("camille");
        using var admin = await sample.SignedInAsync("nadia");
        using var bought = await buyer.PostAsJsonAsync("/api/listings/vase/buy", new { });
        var orderId = (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await buyer.PostAsJsonAsync($"/api/fakepay/checkout/{orderId}/pay", new { })).EnsureSuccessStatusCode();

        var deliveries = await WaitForDeliveriesAsync(admin, d => d.Count(x => x.Kind == "ChatUnlocked") >= 2);

        Assert.Equal(["camille", "sophie"], deliveries.Where(d => d.Kind == "ChatUnlocked").Select(d => d.RecipientId).Order());
        Assert.All(deliveries, d => Assert.False(d.Repeat));
    }

    [Fact]
    public async Task Refuse_a_forged_or_stale_delivery_at_the_receiver()
    {
        const string secret = "sample-webhook-secret-0123";
        await using var sample = await host.StartAsync("Development", "Sample:Webhook:Enabled=true", "Sample:Webhook:Url=http://127.0.0.1:9/unused", "Sample:Webhook:Secret=" + secret);
        using var client = sample.Client();
        const string body = """{"id":"00000000-0000-0000-0000-000000000001","kind":"ChatClosed","recipientId":"camille"}""";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var stale = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, body, now, ChatWebhookSignature.Sign(secret, now, body)));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(client, body, now, ChatWebhookSignature.Sign("another-secret-0123456", now, body)));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(client, body.Replace("camille", "lucas", StringComparison.Ordinal), now, ChatWebhookSignature.Sign(secret, now, body)));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(client, body, stale, ChatWebhookSignature.Sign(secret, stale, body)));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(client, body, null, null));
        Assert.Single(sample.Services.GetRequiredService<WebhookDeliveries>().Recent);
    }

    [Fact]
    public async Task Map_no_receiver_and_send_nothing_when_the_webhook_is_off()
    {
        await using var sample = await host.StartAsync();
        using var client = sample.Client();

        Assert.Equal(HttpStatusCode.NotFound, await DeliverAsync(client, "{}", "0", "sha256=00"));
        await using var scope = sample.Services.CreateAsyncScope();
        Assert.DoesNotContain(scope.ServiceProvider.GetServices<IChatNotificationHandler>(), h => h.GetType().Name.Contains("Webhook", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_the_chats_meter_and_activity_source_through_open_telemetry_when_an_exporter_is_set()
    {
        await using (var off = await host.StartAsync())
        {
            Assert.Null(off.Services.GetService<TracerProvider>());
        }

        await using var sample = await host.StartAsync("Development", "Sample:Telemetry:Exporter=console");

        Assert.NotNull(sample.Services.GetService<TracerProvider>());
        Assert.NotNull(sample.Services.GetService<MeterProvider>());
        using var source = new ActivitySource(ChatDiagnostics.ActivitySourceName);
        Assert.True(source.HasListeners());
        using var buyer = await sample.SignedInAsync("camille");
        using var bought = await buyer.PostAsJsonAsync("/api/listings/vase/buy", new { });
        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
    }

    [Fact]
    public async Task Name_the_setting_when_the_telemetry_exporter_is_unknown()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync("Development", "Sample:Telemetry:Exporter=zipkin"));

        Assert.Contains("Sample:Telemetry:Exporter", error.Message, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<WebhookDelivery>> WaitForDeliveriesAsync(HttpClient admin, Func<IReadOnlyList<WebhookDelivery>, bool> enough)
    {
        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        while (true)
        {
            var deliveries = await admin.GetFromJsonAsync<List<WebhookDelivery>>("/api/admin/webhook-deliveries", JsonSerializerOptions.Web, timeout.Token) ?? [];
            if (enough(deliveries))
            {
                return deliveries;
            }

            // The dispatcher polls its outbox every 2 s; nothing announces a delivery to a test, so look again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    private static async Task<HttpStatusCode> DeliverAsync(HttpClient client, string body, string? timestamp, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/chat") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(ChatWebhookSignature.DeliveryHeader, Guid.NewGuid().ToString());
        if (timestamp is not null)
        {
            request.Headers.Add(ChatWebhookSignature.TimestampHeader, timestamp);
        }

        if (signature is not null)
        {
            request.Headers.Add(ChatWebhookSignature.SignatureHeader, signature);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

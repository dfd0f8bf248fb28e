using System.Text.Json;
using System.Text.RegularExpressions;
using Marketplace.Chat.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Marketplace.Chat.BrowserTests;

/// <summary>
/// The client package's browser bundle (served by the sample at /lib/marketplace-chat-client.js) in Chromium, with the
/// sample's cookie sign-in: an upload through XMLHttpRequest reports progress and can be cancelled, then is sent.
/// </summary>
[Collection(SampleSiteGroup.Name)]
public sealed class ClientPackageInTheBrowserShould(SampleSiteFixture site)
{
    private const string Script = """
        async (orderId) => {
          const { ChatClient } = await import("/lib/marketplace-chat-client.js");
          const client = new ChatClient({ url: "/chat/transactions" });
          await client.start();
          const conversation = await client.join(orderId);
          // A noisy PNG of a few MB, so the upload takes several progress events.
          const canvas = Object.assign(document.createElement("canvas"), { width: 1400, height: 1000 });
          const context = canvas.getContext("2d");
          const pixels = context.createImageData(canvas.width, canvas.height);
          for (let i = 0; i < pixels.data.length; i += 65536) crypto.getRandomValues(pixels.data.subarray(i, i + 65536));
          for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
          context.putImageData(pixels, 0, 0);
          const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
          const progress = [];
          const info = await conversation.upload(new File([blob], "noise.png", { type: "image/png" }), { onProgress: (p) => progress.push([p.loaded, p.total]) });
          const message = await conversation.sendAttachment(info, "noise");
          const abort = new AbortController();
          let cancelled = null;
          try {
            await conversation.upload(blob, { fileName: "cancelled.png", signal: abort.signal, onProgress: () => abort.abort() });
          } catch (error) {
            cancelled = { name: error.name, code: error.code, retryable: error.retryable };
          }
          await client.stop();
          return JSON.stringify({ size: blob.size, progress, kind: message.kind, sameAttachment: message.attachment?.id === info.id, cancelled });
        }
        """;

    [Fact]
    public async Task Upload_with_progress_and_cancellation_through_xmlhttprequest()
    {
        var page = await site.NewPageAsync();
        try
        {
            await page.GotoAsync("/login");
            await page.Locator("button.demo-user[data-user=lucas]").ClickAsync();
            await page.WaitForURLAsync(new Regex("/orders$"));
            await page.GotoAsync("/");
            await page.Locator("button[data-listing=pentax]").ClickAsync();
            await page.WaitForURLAsync(new Regex("/orders/ord_"));
            var orderId = page.Url.Split('/')[^1];
            await page.Locator("[data-action=pay]").ClickAsync();
            await page.Locator("button.fakepay-pay").ClickAsync();
            await Expect(page.Locator(".fakepay-success")).ToBeVisibleAsync();

            var json = await page.EvaluateAsync<string>(Script, orderId).WaitAsync(TimeSpan.FromSeconds(60));
            using var result = JsonDocument.Parse(json);
            var root = result.RootElement;
            var size = root.GetProperty("size").GetInt64();
            var progress = root.GetProperty("progress").EnumerateArray().Select(p => (Loaded: p[0].GetInt64(), Total: p[1].GetInt64())).ToArray();
            Assert.True(size > 1_000_000, $"the test image is {size} bytes");
            Assert.NotEmpty(progress);
            Assert.All(progress, p => Assert.Equal(size, p.Total));
            Assert.Equal(size, progress[^1].Loaded);
            Assert.True(progress.Zip(progress.Skip(1)).All(pair => pair.First.Loaded <= pair.Second.Loaded), "progress never goes back");
            Assert.Equal("Image", root.GetProperty("kind").GetString());
            Assert.True(root.GetProperty("sameAttachment").GetBoolean());
            var cancelled = root.GetProperty("cancelled");
            Assert.Equal(JsonValueKind.Object, cancelled.ValueKind);
            Assert.Equal("ChatError", cancelled.GetProperty("name").GetString());
            Assert.Equal("Cancelled", cancelled.GetProperty("code").GetString());
            Assert.False(cancelled.GetProperty("retryable").GetBoolean());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}

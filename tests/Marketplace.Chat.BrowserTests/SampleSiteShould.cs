using System.Text.RegularExpressions;
using Marketplace.Chat.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Marketplace.Chat.BrowserTests;

/// <summary>
/// A buyer, a seller and an administrator, each in their own browser context, go through the whole life of a
/// transaction chat: locked, paid (live unlock), chatting, disputed (frozen, dispute chat with the admin), resolved.
/// Every step leaves a screenshot in artifacts/screenshots.
/// </summary>
[Collection(SampleSiteGroup.Name)]
public sealed partial class SampleSiteShould(SampleSiteFixture site)
{
    [Fact]
    public async Task TakeBuyerSellerAndAdminFromALockedChatThroughPaymentAndADispute()
    {
        var buyer = await site.NewPageAsync();
        var seller = await site.NewPageAsync();
        var admin = await site.NewPageAsync();
        try
        {
            await RunScenarioAsync(buyer, seller, admin);
        }
        catch
        {
            await ShotAsync(buyer, "failed-buyer");
            await ShotAsync(seller, "failed-seller");
            await ShotAsync(admin, "failed-admin");
            throw;
        }
        finally
        {
            foreach (var page in new[] { buyer, seller, admin })
            {
                await page.Context.CloseAsync();
            }
        }
    }

    private static async Task RunScenarioAsync(IPage buyer, IPage seller, IPage admin)
    {
        // Sign-in page, then one-click demo sign-in.
        await buyer.GotoAsync("/login");
        await Expect(buyer.Locator("button.demo-user[data-user=camille]")).ToBeVisibleAsync();
        await ShotAsync(buyer, "01-sign-in");
        await SignInAsync(buyer, "camille");
        await SignInAsync(seller, "sophie");
        await SignInAsync(admin, "nadia");

        // Listings, then buy: the order's chat exists and is locked, and the composer says why.
        await buyer.GotoAsync("/");
        await Expect(buyer.Locator("button[data-listing=vase]")).ToBeEnabledAsync();
        await ShotAsync(buyer, "02-listings");
        await buyer.Locator("button[data-listing=vase]").ClickAsync();
        await buyer.WaitForURLAsync(new Regex("/orders/ord_"));
        var orderPath = new Uri(buyer.Url).AbsolutePath;
        await ExpectLockedAsync(buyer, "ChatLocked");
        await Expect(buyer.Locator(".msg.system[data-code=Registered]")).ToBeVisibleAsync();

        await seller.GotoAsync(orderPath);
        await ExpectLockedAsync(seller, "ChatLocked");
        await ShotAsync(buyer, "03-locked-until-payment");

        // Pay on the fake provider's page; its signed webhook confirms the payment, and the seller's open page unlocks live.
        await buyer.Locator("[data-action=pay]").ClickAsync();
        await buyer.WaitForURLAsync(new Regex("/pay/ord_"));
        await ShotAsync(buyer, "04-fakepay-checkout");
        await buyer.Locator("button.fakepay-pay").ClickAsync();
        await Expect(buyer.Locator(".fakepay-success")).ToBeVisibleAsync();

        await Expect(seller.Locator("textarea[name=message]")).ToBeEnabledAsync();
        await Expect(seller.Locator(".msg.system[data-code=PaymentConfirmed]")).ToBeVisibleAsync();
        await Expect(seller.Locator(".status-chip[data-status=Paid]")).ToBeVisibleAsync();

        // A retried webhook changes nothing.
        await buyer.GetByRole(AriaRole.Button, new() { Name = "Renvoyer le webhook" }).ClickAsync();
        await Expect(buyer.Locator(".fakepay-card [role=status]").Last).ToContainTextAsync("chat modifié = non");

        await buyer.Locator("a.button.primary.block").ClickAsync();
        await buyer.WaitForURLAsync($"**{orderPath}");
        await Expect(buyer.Locator("textarea[name=message]")).ToBeEnabledAsync();

        // Messages both ways, with typing indicator, presence and read receipts.
        await Expect(seller.Locator($".participant[data-user=camille] .presence.on")).ToBeVisibleAsync();
        await SendAsync(buyer, "Bonjour ! Le vase est-il bien emballé ? Je suis impatiente 😊");
        await Expect(seller.Locator(".msg.theirs .msg-text").Last).ToHaveTextAsync("Bonjour ! Le vase est-il bien emballé ? Je suis impatiente 😊");
        await seller.Locator("textarea[name=message]").PressSequentiallyAsync("Bonjour Camille");
        await Expect(buyer.Locator(".typing")).ToContainTextAsync("Atelier Sophie écrit");
        await seller.Locator("textarea[name=message]").PressAsync("Enter");
        await Expect(buyer.Locator(".msg.theirs .msg-text").Last).ToHaveTextAsync("Bonjour Camille");
        await SendAsync(seller, "Oui, double carton et papier bulle. Envoi demain matin en Colissimo.");
        await Expect(buyer.Locator(".msg.theirs .msg-text").Last).ToHaveTextAsync("Oui, double carton et papier bulle. Envoi demain matin en Colissimo.");
        await Expect(seller.Locator(".msg.mine [data-receipt=read]")).ToBeVisibleAsync();

        // An image: uploaded with progress, previewed at its stored dimensions on both sides; a disguised file is refused inline.
        await buyer.Locator(".chat-transaction input[type=file]").SetInputFilesAsync(TestFile("photo_bali_small.jpg"));
        var preview = seller.Locator(".msg.theirs .attachment-image img").Last;
        await Expect(preview).ToHaveAttributeAsync("width", "158");
        await Expect(preview).ToHaveAttributeAsync("height", "107");
        await Expect(preview).ToHaveAttributeAsync("src", new Regex("/chat/attachments/[0-9a-f-]+/preview$"));
        await Expect(seller.Locator(".msg.theirs .attachment-image").Last).ToHaveAttributeAsync("href", new Regex("/chat/attachments/[0-9a-f-]+$"));
        await Expect(buyer.Locator(".msg.mine:not(.pending) .attachment-image img")).ToHaveCountAsync(1);
        Assert.True(await preview.EvaluateAsync<bool>("img => img.complete ? img.naturalWidth > 0 : new Promise(r => img.addEventListener('load', () => r(img.naturalWidth > 0)))"));
        await seller.Locator(".chat-transaction input[type=file]").SetInputFilesAsync(TestFile("html_as.png"));
        await Expect(seller.Locator(".chat-error[data-code=AttachmentTypeNotAllowed]")).ToBeVisibleAsync();

        // What people write is text, never markup.
        const string markup = "<img src=x onerror=\"window.__pwned=1\"> <b>merci</b>";
        await SendAsync(buyer, markup);
        await Expect(seller.Locator(".msg.theirs .msg-text").Last).ToHaveTextAsync(markup);
        Assert.Equal(0, await seller.Locator(".messages .msg-text img, .messages .msg-text b").CountAsync());
        Assert.True(await seller.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        await SendAsync(buyer, "Parfait, merci beaucoup !");
        await Expect(seller.Locator(".msg.theirs .msg-text").Last).ToHaveTextAsync("Parfait, merci beaucoup !");
        // The seller marks the order shipped: the marketplace posts a notice (IChatLifecycle.PostNoticeAsync), styled apart, on both sides.
        await seller.Locator("[data-action=ship]").ClickAsync();
        await Expect(buyer.Locator(".msg.notice[data-code=OrderShipped]")).ToContainTextAsync("tracking 1Z");
        await Expect(seller.Locator(".msg.notice[data-code=OrderShipped]")).ToBeVisibleAsync();
        await ShotAsync(buyer, "05-chat-buyer");
        await ShotAsync(seller, "06-chat-seller");

        // The buyer opens a dispute: the transaction chat freezes in the seller's open page, and a dispute chat opens.
        await buyer.Locator("[data-action=dispute]").ClickAsync();
        await buyer.Locator("#dispute-reason").FillAsync("Le vase est arrivé avec une fêlure sur le col.");
        await buyer.Locator("dialog button[type=submit]").ClickAsync();
        await buyer.WaitForURLAsync(new Regex("/disputes/dsp_"));
        var disputePath = new Uri(buyer.Url).AbsolutePath;
        await ExpectLockedAsync(seller, "ChatFrozen");
        await Expect(seller.Locator(".chat-banner.state-Frozen")).ToBeVisibleAsync();
        await Expect(seller.Locator(".bell-badge")).ToBeVisibleAsync();
        await seller.Locator("button.bell").ClickAsync();
        await Expect(seller.Locator(".bell-item[data-kind=DisputeOpened]").First).ToBeVisibleAsync();
        await ShotAsync(seller, "07-frozen-transaction-chat");
        await seller.Keyboard.PressAsync("Escape");
        await Expect(buyer.Locator(".chat-dispute textarea[name=message]")).ToBeEnabledAsync();

        // The admin finds it in the queue, joins, and reads the frozen transaction chat as evidence.
        await admin.GotoAsync("/admin/disputes");
        var queued = admin.Locator($".queue-item[data-dispute={disputePath.Split('/')[^1]}]");
        await Expect(queued).ToBeVisibleAsync();
        await ShotAsync(admin, "08-admin-dispute-queue");
        await queued.Locator("a.button").ClickAsync();
        await admin.WaitForURLAsync($"**{disputePath}");
        await Expect(admin.Locator(".evidence .msg-text", new() { HasText = "double carton" })).ToBeVisibleAsync();
        await Expect(buyer.Locator(".chat-dispute .msg.system[data-code=AdminJoined]")).ToBeVisibleAsync();

        // Only the admin reads the log as written (originals of edited and deleted messages, the chain's verdict).
        await admin.Locator("[data-action=log-as-written]").ClickAsync();
        await Expect(admin.Locator(".evidence-verdict.intact")).ToBeVisibleAsync();
        await Expect(admin.Locator(".evidence-log li[data-kind=Notice]")).ToContainTextAsync("tracking 1Z");
        Assert.Equal(0, await buyer.Locator("[data-action=log-as-written]").CountAsync());

        // All three write and see each other live in the dispute chat.
        await seller.GotoAsync(disputePath);
        await Expect(seller.Locator(".chat-dispute textarea[name=message]")).ToBeEnabledAsync();
        await SendAsync(admin, "Bonjour à vous deux, je suis Nadia de l'équipe. Camille, pouvez-vous décrire la fêlure ?", ".chat-dispute");
        await ExpectLastTheirsAsync(buyer, "Nadia de l'équipe");
        await ExpectLastTheirsAsync(seller, "Nadia de l'équipe");
        await SendAsync(buyer, "Une fêlure de 3 cm sur le col, visible dès l'ouverture du colis.", ".chat-dispute");
        await ExpectLastTheirsAsync(admin, "fêlure de 3 cm");
        await ExpectLastTheirsAsync(seller, "fêlure de 3 cm");
        await SendAsync(seller, "Désolée ! Je propose un remboursement complet.", ".chat-dispute");
        await ExpectLastTheirsAsync(admin, "remboursement complet");
        await ExpectLastTheirsAsync(buyer, "remboursement complet");
        await Expect(buyer.Locator(".chat-dispute .msg.theirs.role-Admin .role-badge.role-Admin")).ToBeVisibleAsync();
        await ShotAsync(admin, "09-dispute-admin");
        await ShotAsync(buyer, "10-dispute-buyer");

        // The admin exports the evidence: the browser downloads a signed bundle that verifies offline.
        await Expect(buyer.Locator("#export-evidence")).ToHaveCountAsync(0);
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.Locator("#export-evidence").ClickAsync());
        var bundlePath = Path.Combine(Path.GetTempPath(), $"sample-evidence-{Guid.NewGuid():N}.zip");
        await download.SaveAsAsync(bundlePath);
        try
        {
            Assert.Matches("^evidence-dsp_.*\\.zip$", download.SuggestedFilename);
            var verification = await Marketplace.Chat.Evidence.ChatEvidenceBundle.VerifyFileAsync(bundlePath).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(verification.IsValid, string.Join("\n", verification.Problems));
        }
        finally
        {
            File.Delete(bundlePath);
        }

        // The admin resolves: the dispute chat and the transaction chat become read-only for everyone.
        await admin.Locator("#resolution-note").FillAsync("Remboursement complet accepté par la vendeuse.");
        await admin.Locator(".resolve-card button[type=submit]").ClickAsync();
        await Expect(admin.Locator(".dispute-status[data-status=resolved]")).ToBeVisibleAsync();
        await ExpectLockedAsync(buyer, "DisputeResolved", ".chat-dispute");
        await ExpectLockedAsync(seller, "DisputeResolved", ".chat-dispute");
        await Expect(buyer.Locator(".dispute-status[data-status=resolved]")).ToBeVisibleAsync();
        await ShotAsync(buyer, "11-dispute-resolved");

        await buyer.GotoAsync(orderPath);
        await ExpectLockedAsync(buyer, "ChatClosed");
        await Expect(buyer.Locator(".status-chip[data-status=Settled]")).ToBeVisibleAsync();
        await Expect(buyer.Locator(".msg.system[data-code=DisputeResolvedClose]")).ToBeVisibleAsync();

        // Operations: the library's counters on the admin's stats page.
        await admin.GotoAsync("/admin/stats");
        await Expect(admin.Locator("[data-metric='marketplace.chat.messages.sent'] .stat-value")).Not.ToHaveTextAsync("0");
        await Expect(admin.Locator("[data-metric='marketplace.chat.transitions']")).ToBeVisibleAsync();
        await ShotAsync(admin, "12-admin-stats");

        // Phone-sized, in English.
        await buyer.SetViewportSizeAsync(390, 844);
        await buyer.GetByRole(AriaRole.Button, new() { Name = "EN", Exact = true }).ClickAsync();
        await Expect(buyer.Locator(".composer-lock")).ToContainTextAsync("closed");
        await ShotAsync(buyer, "13-phone-english");
    }

    [Fact]
    public async Task RefuseAWrongPasswordAndAcceptTheRightOne()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await page.Locator("#email").FillAsync("lucas@demo.test");
        await page.Locator("#password").FillAsync("not-the-password");
        await page.Locator("form button[type=submit]").ClickAsync();
        await Expect(page.Locator("form .form-error")).ToBeVisibleAsync();

        await page.Locator("#password").FillAsync("demo1234");
        await page.Locator("form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**/orders");
        await Expect(page.Locator(".account-name")).ToHaveTextAsync("Lucas Bernard");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ShowPeopleOnlyTheirOwnOrders()
    {
        var buyer = await site.NewPageAsync();
        var other = await site.NewPageAsync();
        await SignInAsync(buyer, "lucas");
        await SignInAsync(other, "hugo");
        await buyer.GotoAsync("/");
        await buyer.Locator("button[data-listing=carnet]").ClickAsync();
        await buyer.WaitForURLAsync(new Regex("/orders/ord_"));
        var orderId = buyer.Url.Split('/')[^1];

        var response = await other.APIRequest.GetAsync($"/api/orders/{orderId}");
        Assert.Equal(404, response.Status);
        await other.GotoAsync("/orders");
        await Expect(other.Locator($"[data-order={orderId}]")).ToHaveCountAsync(0);
        await other.GotoAsync($"/orders/{orderId}");
        await Expect(other.Locator(".form-error").First).ToBeVisibleAsync();

        await buyer.Context.CloseAsync();
        await other.Context.CloseAsync();
    }

    private static string TestFile(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    private static async Task SignInAsync(IPage page, string userId)
    {
        await page.GotoAsync("/login");
        await page.Locator($"button.demo-user[data-user={userId}]").ClickAsync();
        await page.WaitForURLAsync(new Regex("/(orders|admin/disputes)$"));
    }

    private static async Task ExpectLockedAsync(IPage page, string code, string scope = ".chat-transaction")
    {
        await Expect(page.Locator($"{scope} textarea[name=message]")).ToBeDisabledAsync();
        await Expect(page.Locator($"{scope} .composer-lock[data-code={code}]")).ToBeVisibleAsync();
    }

    private static async Task SendAsync(IPage page, string text, string scope = ".chat")
    {
        var composer = page.Locator($"{scope} textarea[name=message]").First;
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        await Expect(page.Locator($"{scope} .msg.mine:not(.pending) .msg-text").Last).ToHaveTextAsync(text);
    }

    private static Task ExpectLastTheirsAsync(IPage page, string text) =>
        Expect(page.Locator(".chat-dispute .msg.theirs .msg-text").Last).ToContainTextAsync(text);

    private static Task<byte[]> ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Repository.Screenshots, name + ".png"), Timeout = 15_000 });
}

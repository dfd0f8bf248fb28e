using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Data;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.BrowserTests.Site;

/// <summary>The sample's defaults are safe ones: demo sign-in, hosts, sign-in throttling, headers, invalid input.</summary>
[Collection(SampleHostGroup.Name)]
public sealed class SampleHardeningShould(SampleHostFixture host)
{
    [Fact]
    public async Task Answer_404_for_the_demo_sign_in_outside_development_even_when_it_is_enabled()
    {
        await using var production = await host.StartAsync("Production", "Sample:DemoLogin=true");
        using var anonymous = production.Client();

        using var login = await anonymous.PostAsJsonAsync("/api/account/demo-login", new { userId = "nadia" });
        using var users = await anonymous.GetAsync("/api/account/demo-users");
        using var me = await anonymous.GetAsync("/api/account/me");

        Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, users.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Offer_the_demo_sign_in_in_development_only_when_it_is_switched_on()
    {
        await using var off = await host.StartAsync("Development", "Sample:DemoLogin=false");
        using (var anonymous = off.Client())
        {
            using var refused = await anonymous.PostAsJsonAsync("/api/account/demo-login", new { userId = "nadia" });
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        await using var on = await host.StartAsync("Development");
        using var client = on.Client();
        using var accepted = await client.PostAsJsonAsync("/api/account/demo-login", new { userId = "nadia" });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/api/account/me")).GetProperty("isAdmin").GetBoolean());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Answer_only_the_allowed_hosts_with_this_machine_as_the_default(string? configured)
    {
        await using var sample = configured is null ? await host.StartAsync() : await host.StartAsync("Development", "AllowedHosts=" + configured);
        using var client = sample.Client();

        Assert.Equal(HttpStatusCode.BadRequest, await StatusForHostAsync(client, "evil.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusForHostAsync(client, "rebind.attacker.test:" + sample.BaseUrl.Port));
        Assert.Equal(HttpStatusCode.OK, await StatusForHostAsync(client, "localhost:" + sample.BaseUrl.Port));
        Assert.Equal(HttpStatusCode.OK, await StatusForHostAsync(client, "127.0.0.1:" + sample.BaseUrl.Port));
    }

    [Fact]
    public async Task Put_the_security_headers_on_every_response_including_static_files_and_errors()
    {
        await using var sample = await host.StartAsync();
        using var client = sample.Client();
        var responses = new List<HttpResponseMessage>();
        try
        {
            foreach (var path in new[] { "/", "/index.html", "/css/site.css", "/js/app.js", "/favicon.svg", "/lib/signalr.min.js", "/login", "/health", "/api/listings", "/api/no-such-thing", "/no-such-file.js", "/api/orders" })
            {
                responses.Add(await client.GetAsync(path));
            }

            responses.Add(await client.PostAsync("/api/account/login", new StringContent("{\"email\":", Encoding.UTF8, "application/json")));
            foreach (var response in responses)
            {
                var what = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.AbsolutePath} ({(int)response.StatusCode})";
                Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", what);
                Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp) && csp.Single().Contains("frame-ancestors 'none'", StringComparison.Ordinal), what);
                Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frames) && frames.Single() == "DENY", what);
                Assert.True(response.Headers.Contains("Referrer-Policy"), what);
            }

            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK && r.Content.Headers.ContentType?.MediaType == "text/css");
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.NotFound);
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.BadRequest);
        }
        finally
        {
            responses.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task Throttle_sign_in_per_account_whatever_the_password_and_the_same_for_unknown_addresses()
    {
        await using var sample = await host.StartAsync("Development", "Sample:SignIn:MaxFailuresPerAccount=3", "Sample:SignIn:MaxFailuresPerAddress=100");
        using var client = sample.Client();

        foreach (var email in new[] { "camille@demo.test", "nobody@demo.test" })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, email, "wrong-password")).Status);
            }

            var (status, code, retryAfter) = await LoginAsync(client, email, "demo1234");
            Assert.Equal((HttpStatusCode.TooManyRequests, "RateLimited"), (status, code));
            Assert.InRange(retryAfter ?? 0, 1, 15 * 60);
        }

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "lucas@demo.test", "demo1234")).Status);
    }

    [Fact]
    public async Task Throttle_sign_in_per_client_address_across_accounts()
    {
        await using var sample = await host.StartAsync("Development", "Sample:SignIn:MaxFailuresPerAccount=100", "Sample:SignIn:MaxFailuresPerAddress=4");
        using var client = sample.Client();

        foreach (var email in new[] { "a@demo.test", "b@demo.test", "camille@demo.test", "lucas@demo.test" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, email, "guess")).Status);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(client, "hugo@demo.test", "demo1234")).Status);
    }

    [Fact]
    public async Task Clear_an_accounts_failures_after_a_successful_sign_in()
    {
        await using var sample = await host.StartAsync("Development", "Sample:SignIn:MaxFailuresPerAccount=3", "Sample:SignIn:MaxFailuresPerAddress=100");
        using var client = sample.Client();

        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, "sophie@demo.test", "oops")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, "sophie@demo.test", "oops")).Status);
            Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "sophie@demo.test", "demo1234")).Status);
        }
    }

    [Fact]
    public async Task Verify_an_unknown_email_against_a_dummy_hash_on_the_same_path_as_a_wrong_password()
    {
        await using var sample = await host.StartAsync();
        await using var scope = sample.Services.CreateAsyncScope();
        var hasher = new RecordingHasher();
        var signIn = new SignInService(scope.ServiceProvider.GetRequiredService<SampleDbContext>(), hasher);

        Assert.Null(await signIn.VerifyAsync("nobody@demo.test", "demo1234", CancellationToken.None));
        Assert.Null(await signIn.VerifyAsync("camille@demo.test", "wrong-password", CancellationToken.None));
        Assert.NotNull(await signIn.VerifyAsync("camille@demo.test", "demo1234", CancellationToken.None));

        Assert.Equal(3, hasher.Calls.Count);
        Assert.Equal(SignInService.DummyHash, hasher.Calls[0].Hash);
        Assert.Equal(PasswordVerificationResult.Failed, hasher.Calls[0].Result);
        var camille = hasher.Calls[1].Hash;
        Assert.NotEqual(SignInService.DummyHash, camille);
        Assert.Equal(camille, hasher.Calls[2].Hash);
        // The dummy is the same kind of hash as a real one (format v3, same iteration count), so it costs the same to check.
        var dummy = Convert.FromBase64String(SignInService.DummyHash);
        var real = Convert.FromBase64String(camille);
        Assert.Equal(Convert.ToHexString(real, 0, 13), Convert.ToHexString(dummy, 0, 13));
    }

    [Fact]
    public async Task Refuse_invalid_characters_in_every_json_endpoint_with_invalid_argument()
    {
        await using var sample = await host.StartAsync();
        using var admin = await sample.SignedInAsync("nadia");
        var endpoints = sample.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .ToList();
        var covered = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Single() ?? "GET";
            var body = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            var parameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList();
            var bodyStrings = body is null ? [] : body.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)).Select(p => p.Name).ToList();
            foreach (var input in parameters.Concat(bodyStrings))
            {
                foreach (var bad in new[] { "a\u0000b", "a\u0001b", "a\u001Bb" })
                {
                    var path = endpoint.RoutePattern.RawText!;
                    foreach (var p in parameters)
                    {
                        path = path.Replace("{" + p + "}", Uri.EscapeDataString(p == input ? bad.Replace("\u0000", "\u0001", StringComparison.Ordinal) : "ord_x"), StringComparison.Ordinal);
                    }

                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    if (method != "GET")
                    {
                        request.Content = new StringContent(JsonSerializer.Serialize(BodyOf(body, input, bad)), Encoding.UTF8, "application/json");
                    }

                    using var response = await admin.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.BadRequest && text.Contains("\"code\":\"InvalidArgument\"", StringComparison.Ordinal),
                        $"{method} {endpoint.RoutePattern.RawText} with {input} = {JsonSerializer.Serialize(bad)} answered {(int)response.StatusCode}: {text}");
                }

                covered.Add($"{endpoint.RoutePattern.RawText} {input}");
            }
        }

        foreach (var expected in new[] { "/api/account/login Email", "/api/account/login Password", "/api/account/demo-login UserId", "/api/listings/{id}/buy id",
                     "/api/orders/{id}/cancel id", "/api/orders/{id}/disputes Reason", "/api/disputes/{id}/resolve Note", "/api/orders/{id} id", "/api/fakepay/checkout/{orderId}/pay orderId" })
        {
            Assert.Contains(expected, covered);
        }
    }

    [Fact]
    public async Task Refuse_a_nul_in_a_path_and_unreadable_json_without_a_server_error()
    {
        await using var sample = await host.StartAsync();
        using var buyer = await sample.SignedInAsync("camille");

        using var nulInPath = await buyer.GetAsync("/api/orders/a%00b");
        using var loneSurrogate = await buyer.PostAsync("/api/orders/x/disputes", new StringContent("{\"reason\":\"\\ud800\"}", Encoding.UTF8, "application/json"));
        using var truncated = await buyer.PostAsync("/api/account/login", new StringContent("{\"email\":", Encoding.UTF8, "application/json"));
        using var wrongShape = await buyer.PostAsync("/api/disputes/x/resolve", new StringContent("{\"outcome\":\"Maybe\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, nulInPath.StatusCode);   // Kestrel itself refuses a NUL in the path
        foreach (var response in new[] { loneSurrogate, truncated })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("\"code\":\"InvalidArgument\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Forbidden, wrongShape.StatusCode);   // admin-only: refused before the body is read
    }

    private static Dictionary<string, object?> BodyOf(Type? type, string input, string bad)
    {
        var body = new Dictionary<string, object?>();
        foreach (var property in type?.GetProperties(BindingFlags.Public | BindingFlags.Instance) ?? [])
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var kind = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            body[name] = property.Name == input ? bad
                : kind == typeof(string) ? "fine"
                : kind.IsEnum ? Enum.GetNames(kind)[0]
                : kind.IsValueType ? Activator.CreateInstance(kind) : null;
        }

        return body;
    }

    private static async Task<HttpStatusCode> StatusForHostAsync(HttpClient client, string hostHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/listings");
        request.Headers.Host = hostHeader;
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<(HttpStatusCode Status, string? Code, int? RetryAfter)> LoginAsync(HttpClient client, string email, string password)
    {
        using var response = await client.PostAsJsonAsync("/api/account/login", new { email, password });
        var text = await response.Content.ReadAsStringAsync();
        var code = text.Length > 0 && JsonDocument.Parse(text).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
        return (response.StatusCode, code, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds);
    }

    private sealed class RecordingHasher : IPasswordHasher<User>
    {
        private readonly PasswordHasher<User> _inner = new();

        public List<(string Hash, PasswordVerificationResult Result)> Calls { get; } = [];

        public string HashPassword(User user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            var result = _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
            Calls.Add((hashedPassword, result));
            return result;
        }
    }
}

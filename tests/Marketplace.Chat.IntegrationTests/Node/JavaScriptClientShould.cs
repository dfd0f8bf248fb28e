using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Marketplace.Chat.IntegrationTests.Node;

/// <summary>
/// The client package (clients/js, built to dist/) against real hosts on a real PostgreSQL cluster: each scenario is one
/// node:test file under clients/js/test/server, run here with the host's address and the conversations it prepared,
/// so its pass or failure is this test's. Needs node and the built package, which scripts/prerequisites.sh installs.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class JavaScriptClientShould(PostgresFixture postgres, ITestOutputHelper log)
{
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromMinutes(3);

    private static readonly Action<ChatOptions> Unthrottled = o =>
    {
        o.MaxSendsPerSecond = 100_000;
        o.SendBurst = 100_000;
    };

    [Fact]
    public async Task Pass_its_own_unit_tests()
    {
        await RunTestsAsync(Path.Combine("test", "unit"), new Dictionary<string, string>());
    }

    [Fact]
    public async Task Deliver_a_burst_of_500_messages_exactly_once_and_in_order_across_five_forced_socket_drops()
    {
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("jsburst"), Unthrottled);
        await RunScenarioAsync("burst", host, new { open = await OpenTransactionAsync(host) });
    }

    [Fact]
    public async Task Deliver_in_sequence_order_to_every_client_while_both_sides_send_at_once()
    {
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("jsconcurrent"), Unthrottled);
        await RunScenarioAsync("concurrent", host, new { open = await OpenTransactionAsync(host) });
    }

    [Fact]
    public async Task Deliver_sends_made_while_disconnected_once_after_the_reconnect()
    {
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("jsoffline"), Unthrottled);
        await RunScenarioAsync("offline-sends", host, new { open = await OpenTransactionAsync(host) });
    }

    [Fact]
    public async Task End_with_every_message_after_a_reconnect_to_another_node_without_a_backplane()
    {
        var database = await postgres.CreateDatabaseAsync("jstwonodes");
        await using var nodeA = await ChatTestHost.StartAsync(database, Unthrottled);
        await using var nodeB = await ChatTestHost.StartAsync(database, Unthrottled, nodeA.Parties, createSchema: false);
        await RunScenarioAsync("two-nodes", nodeA, new { open = await OpenTransactionAsync(nodeA) }, nodeB);
    }

    [Fact]
    public async Task Apply_an_edit_and_a_deletion_made_while_offline_after_the_reconnect()
    {
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("jsedits"), Unthrottled);
        await RunScenarioAsync("offline-edits", host, new { open = await OpenTransactionAsync(host) });
    }

    [Fact]
    public async Task Refuse_with_typed_codes_in_locked_frozen_and_rate_limited_chats()
    {
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("jsrefusals"), o =>
        {
            o.MaxSendsPerSecond = 2;
            o.SendBurst = 3;
        });
        var locked = await RegisterTransactionAsync(host);
        var frozen = await OpenTransactionAsync(host);
        await host.Lifecycle(l => l.OpenDisputeAsync(frozen.Id, "d-" + frozen.Id, new ChatEventContext(frozen.Buyer)));
        var limited = await OpenTransactionAsync(host);
        await RunScenarioAsync("refusals", host, new { locked, frozen, limited }, actions: new()
        {
            ["confirm-locked"] = () => host.Lifecycle(l => l.ConfirmPaymentAsync(locked.Id)),
        });
    }

    [Fact]
    public async Task Upload_with_progress_and_cancellation_then_send_the_attachment()
    {
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("jsupload"), Unthrottled);
        await RunScenarioAsync("upload", host, new { open = await OpenTransactionAsync(host) });
    }

    [Fact]
    public async Task Throttle_typing_and_report_presence_and_read_receipts()
    {
        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync("jsevents"), Unthrottled);
        await RunScenarioAsync("events", host, new { open = await OpenTransactionAsync(host) });
    }

    private static async Task<Party> RegisterTransactionAsync(ChatTestHost host)
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var party = new Party(id, "buyer-" + id, "seller-" + id);
        host.Parties.Transactions[id] = new TransactionParties(party.Buyer, party.Seller);
        await host.Lifecycle(l => l.RegisterTransactionAsync(id));
        return party;
    }

    private static async Task<Party> OpenTransactionAsync(ChatTestHost host)
    {
        var party = await RegisterTransactionAsync(host);
        await host.Lifecycle(l => l.ConfirmPaymentAsync(party.Id));
        return party;
    }

    private async Task RunScenarioAsync(
        string name, ChatTestHost host, object scenario, ChatTestHost? second = null, Dictionary<string, Func<Task<LifecycleResult>>>? actions = null)
    {
        await using var control = await ControlServer.StartAsync(actions ?? []);
        var corpus = Path.Combine(NodeProcess.RepositoryRoot(), "tests", "Marketplace.Chat.Tests", "Corpus");
        var environment = new Dictionary<string, string>
        {
            ["CHAT_URL_A"] = host.BaseUrl.ToString(),
            ["CHAT_CONTROL_URL"] = control.BaseUrl.ToString(),
            ["CHAT_SCENARIO"] = JsonSerializer.Serialize(scenario, JsonSerializerOptions.Web),
            ["CHAT_CORPUS"] = corpus,
        };
        if (second is not null)
        {
            environment["CHAT_URL_B"] = second.BaseUrl.ToString();
        }

        await RunTestsAsync(Path.Combine("test", "server", name + ".test.mjs"), environment);
        Assert.True(control.Failures.IsEmpty, "A host action failed: " + string.Join(Environment.NewLine, control.Failures));
    }

    private async Task RunTestsAsync(string path, Dictionary<string, string> environment)
    {
        var package = Path.Combine(NodeProcess.RepositoryRoot(), "clients", "js");
        Assert.True(NodeProcess.FindOnPath("node") is not null, "Node.js (`node`) is not on the PATH. " + NodeProcess.Prerequisites);
        Assert.True(File.Exists(Path.Combine(package, "dist", "node", "index.js")), $"{package}/dist is not built. " + NodeProcess.Prerequisites);
        Assert.True(
            File.Exists(Path.Combine(package, "node_modules", "@microsoft", "signalr", "package.json")),
            $"{package}/node_modules has no @microsoft/signalr. " + NodeProcess.Prerequisites);

        var run = await NodeProcess.RunAsync(package, ["--test", "--test-force-exit", "--test-reporter=tap", path], ScenarioTimeout, environment: environment);
        log.WriteLine(run.Describe());
        Assert.True(run.ExitCode == 0, run.Describe());

        // A filter or file that matched nothing would pass with zero tests: require at least one and no failure, skip or todo.
        var counts = run.Output
            .Select(line => TapCount().Match(line))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(counts.GetValueOrDefault("pass") >= 1, "No test passed. " + run.Describe());
        Assert.True(
            counts.GetValueOrDefault("fail") + counts.GetValueOrDefault("skipped") + counts.GetValueOrDefault("todo") + counts.GetValueOrDefault("cancelled") == 0,
            "A test failed, was skipped or cancelled. " + run.Describe());
    }

    [GeneratedRegex(@"^# (pass|fail|skipped|todo|cancelled) (\d+)$")]
    private static partial Regex TapCount();

    private sealed record Party(string Id, string Buyer, string Seller);

    /// <summary>HTTP endpoints on loopback through which a scenario asks the test for host actions (POST /{action}).</summary>
    private sealed class ControlServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ControlServer(WebApplication app, Uri baseUrl)
        {
            _app = app;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; }

        public ConcurrentQueue<string> Failures { get; } = new();

        public static async Task<ControlServer> StartAsync(Dictionary<string, Func<Task<LifecycleResult>>> actions)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            ControlServer? server = null;
            app.MapPost("/{action}", async (string action) =>
            {
                if (!actions.TryGetValue(action, out var run))
                {
                    server!.Failures.Enqueue("unknown action " + action);
                    return Results.NotFound();
                }

                try
                {
                    var result = await run();
                    return Results.Text(result.ToString());
                }
                catch (ChatException refusal)
                {
                    server!.Failures.Enqueue($"{action}: {refusal.Code} {refusal.Message}");
                    return Results.Conflict(refusal.Code.ToString());
                }
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            server = new ControlServer(app, new Uri(address + "/"));
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Marketplace.Chat.IntegrationTests.Node;

/// <summary>
/// The hubs as a browser app meets them: the official @microsoft/signalr JavaScript client, run under Node by
/// tests/node/exchange.mjs, chats as buyer and seller against a real host. Needs node and tests/node/node_modules,
/// which scripts/prerequisites.sh installs; without them the test fails (it never skips).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class NodeClientShould(PostgresFixture postgres, ITestOutputHelper log)
{
    private const string BuyerText = "Bonjour";
    private const string SellerText = "Bonjour, l'article est disponible";
    private const string Prerequisites = "Run `bash scripts/prerequisites.sh` (it installs Node.js and runs `npm ci` in tests/node).";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Exchange_messages_with_the_official_javascript_client()
    {
        var root = RepositoryRoot();
        var node = FindOnPath("node");
        if (node is null)
        {
            Assert.Fail("Node.js (`node`) is not on the PATH. " + Prerequisites);
        }

        var scripts = Path.Combine(root, "tests", "node");
        Assert.True(
            File.Exists(Path.Combine(scripts, "node_modules", "@microsoft", "signalr", "package.json")),
            $"{scripts}/node_modules has no @microsoft/signalr. " + Prerequisites);

        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync(nameof(NodeClientShould)));
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyerId, sellerId) = ("buyer-" + id, "seller-" + id);
        host.Parties.Transactions[id] = new TransactionParties(buyerId, sellerId);
        var conversationId = (await host.Lifecycle(l => l.RegisterTransactionAsync(id))).Conversation.Id;

        var confirmations = 0;
        var run = await RunNodeAsync(node, scripts, ["exchange.mjs", host.BaseUrl.ToString(), id, buyerId, sellerId], async line =>
        {
            if (line == "READY")
            {
                Interlocked.Increment(ref confirmations);
                await host.Lifecycle(l => l.ConfirmPaymentAsync(id));
            }
        });

        log.WriteLine(run.Describe());
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.True(confirmations == 1, "The script printed READY " + confirmations + " times. " + run.Describe());
        var resultLine = run.Output.SingleOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.True(resultLine is not null, "No RESULT line. " + run.Describe());
        using var result = JsonDocument.Parse(resultLine["RESULT ".Length..]);
        var summary = result.RootElement;

        Assert.Equal(conversationId, summary.GetProperty("conversationId").GetGuid());
        Assert.Equal("WebSocketTransport", summary.GetProperty("transport").GetString());
        Assert.True(summary.GetProperty("negotiated").GetBoolean(), "The client connected without negotiating.");
        Assert.Equal(0, summary.GetProperty("reconnects").GetInt32());
        Assert.Equal("ChatLocked", summary.GetProperty("refusal").GetProperty("code").GetString());
        Assert.Equal("PaymentConfirmed", summary.GetProperty("unlocked").GetProperty("seller").GetString());
        (string Text, string Sender)[] expected = [(BuyerText, buyerId), (SellerText, sellerId)];
        foreach (var party in new[] { "buyer", "seller" })
        {
            var received = summary.GetProperty(party).GetProperty("texts").EnumerateArray()
                .Select(m => (m.GetProperty("text").GetString()!, m.GetProperty("senderId").GetString()!))
                .ToArray();
            Assert.Equal(expected, received);
        }

        var sellerSequence = summary.GetProperty("seller").GetProperty("texts")[1].GetProperty("sequence").GetInt64();
        var receipt = summary.GetProperty("readReceipt");
        Assert.Equal(buyerId, receipt.GetProperty("userId").GetString());
        Assert.Equal(sellerSequence, receipt.GetProperty("sequence").GetInt64());
        Assert.Equal(0, summary.GetProperty("unread").GetInt32());

        // What the JavaScript client saw is what the server stored.
        await using var scope = host.Services.CreateAsyncScope();
        var history = await scope.ServiceProvider.GetRequiredService<IChatMessaging>()
            .GetHistoryAsync(new ChatUser(buyerId), conversationId, new HistoryQuery(AfterSequence: 0));
        var stored = history.Messages.Where(m => m.Kind == ChatMessageKind.Text).Select(m => (m.Text, m.SenderId, m.SenderRole)).ToArray();
        Assert.Equal([(BuyerText, buyerId, ParticipantRole.Buyer), (SellerText, sellerId, ParticipantRole.Seller)], stored);
        Assert.Equal(sellerSequence, history.Messages.Single(m => m.Text == SellerText).Sequence);
    }

    /// <summary>
    /// Runs node, handing each stdout line to <paramref name="onLine"/> as it arrives; kills the process tree after
    /// <see cref="ScriptTimeout"/>.
    /// </summary>
    private static async Task<NodeRun> RunNodeAsync(string node, string workingDirectory, IReadOnlyList<string> arguments, Func<string, Task> onLine)
    {
        var startInfo = new ProcessStartInfo(node)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        var lines = ReadLinesAsync();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(lines, errors).WaitAsync(TimeSpan.FromSeconds(10), timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the timeout and the kill.
            }

            return new NodeRun(null, Snapshot(), errors.IsCompletedSuccessfully ? errors.Result : "", stopwatch.Elapsed);
        }

        return new NodeRun(process.ExitCode, Snapshot(), await errors, stopwatch.Elapsed);

        async Task ReadLinesAsync()
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lock (output)
                {
                    output.Add(line);
                }

                await onLine(line);
            }
        }

        List<string> Snapshot()
        {
            lock (output)
            {
                return [.. output];
            }
        }
    }

    private static string? FindOnPath(string program)
    {
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program + ".cmd" } : [program];
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(directory => names.Select(name => Path.Combine(directory, name)))
            .FirstOrDefault(File.Exists);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Marketplace.Chat.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Marketplace.Chat.sln in {AppContext.BaseDirectory} or any folder above it.");
    }

    /// <summary>What the script did; <see cref="ExitCode"/> is null when it ran past <see cref="ScriptTimeout"/> and was killed.</summary>
    private sealed record NodeRun(int? ExitCode, IReadOnlyList<string> Output, string Errors, TimeSpan Elapsed)
    {
        public string Describe() =>
            (ExitCode is { } code
                ? $"`node exchange.mjs` exited with {code} after {Elapsed.TotalSeconds:F1} s."
                : $"`node exchange.mjs` did not finish within {ScriptTimeout.TotalSeconds:F0} s and was killed.")
            + Environment.NewLine + "stdout:" + Environment.NewLine + string.Join(Environment.NewLine, Output)
            + Environment.NewLine + "stderr:" + Environment.NewLine + Errors;
    }
}

using System.Text.RegularExpressions;
using CsCheck;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Marketplace.Chat.IntegrationTests.Hardening;

/// <summary>
/// A seeded property-based fuzz (CsCheck) of hub invocations over real WebSockets against a real host on PostgreSQL:
/// random methods with random, often hostile, arguments. Only coded refusals may come back, the server keeps serving, and
/// nothing changes in the conversations the fuzzing user may not write. Replay a failure with the seed CsCheck prints:
/// <c>CsCheck_Seed=&lt;seed&gt; dotnet test --filter HubFuzzShould</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class HubFuzzShould(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string Fuzzer = "fuzzer";
    private static readonly HashSet<string> Codes = [.. Enum.GetNames<ChatErrorCode>()];

    [Fact]
    public async Task Answer_ten_thousand_random_invocations_with_results_or_coded_refusals_and_write_nothing_it_may_not()
    {
        var database = await postgres.CreateDatabaseAsync("fuzz");
        // Budgets wide open: the fuzz is after the paths behind them (the budgets have floods of their own in other tests).
        await using var host = await ChatTestHost.StartAsync(database, o =>
        {
            o.SendBurst = 1_000_000;
            o.MaxSendsPerSecond = 1_000_000;
            foreach (var rule in new[] { o.Limits.Sends, o.Limits.Edits, o.Limits.Typing, o.Limits.Reads, o.Limits.Joins, o.Limits.History })
            {
                rule.PerSecond = 1_000_000;
                rule.Burst = 1_000_000;
            }
        });
        var open = await NewTransactionAsync(host, "tx-fz-open", Fuzzer, "seller-open", paid: true);
        var locked = await NewTransactionAsync(host, "tx-fz-locked", Fuzzer, "seller-locked", paid: false);
        var others = await NewTransactionAsync(host, "tx-fz-others", "alice", "bob", paid: true);
        var closed = await NewTransactionAsync(host, "tx-fz-closed", Fuzzer, "seller-closed", paid: true);
        await host.Lifecycle(l => l.CompleteAsync("tx-fz-closed"));
        var frozen = await NewTransactionAsync(host, "tx-fz-frozen", Fuzzer, "seller-frozen", paid: true);
        var ownDispute = (await host.Lifecycle(l => l.OpenDisputeAsync("tx-fz-frozen", "d-fz-own"))).Conversation.Id;
        var othersFrozen = await NewTransactionAsync(host, "tx-fz-others2", "carol", "dave", paid: true);
        var othersDispute = (await host.Lifecycle(l => l.OpenDisputeAsync("tx-fz-others2", "d-fz-others"))).Conversation.Id;
        await using var alice = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "alice"));
        var theirs = await alice.Invoke<ChatSnapshot>("Join", "tx-fz-others");
        var theirMessage = await alice.Invoke<ChatMessage>("Send", theirs.ConversationId, Guid.NewGuid(), "not yours to change");
        await using var fuzzer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", Fuzzer));
        var ownMessage = await JoinAndSendAsync(fuzzer, "tx-fz-open", open);
        await JoinAndSendAsync(fuzzer, "tx-fz-closed", closed, send: false);
        await using var disputes = await ChatClientProbe.ConnectAsync(host.Connect("disputes", Fuzzer));
        await disputes.Invoke<ChatSnapshot>("Join", "d-fz-own");
        var protectedIds = new[] { locked, others, closed, frozen, othersFrozen, othersDispute };
        var before = await SnapshotAsync(host, protectedIds);
        var conversationsBefore = await Db(host, db => db.Set<ConversationRecord>().CountAsync());

        var calls = Gen.Select(
            Gen.Bool,
            CallGen(
                [open, locked, others, closed, frozen, othersFrozen, ownDispute, othersDispute],
                ["tx-fz-open", "tx-fz-locked", "tx-fz-others", "tx-fz-closed", "tx-fz-frozen", "d-fz-own", "d-fz-others"],
                [ownMessage, theirMessage.Id]),
            (onDisputes, call) => (Hub: onDisputes ? disputes : fuzzer, Call: call));
        var outcomes = new int[2];
        await calls.SampleAsync(
            async sample =>
            {
                var (hub, call) = sample;
                try
                {
                    await hub.Connection.InvokeCoreAsync(call.Method, typeof(object), call.Args).WaitAsync(ChatClientProbe.Timeout);
                    Interlocked.Increment(ref outcomes[0]);
                }
                catch (HubException e)
                {
                    var match = RefusalPattern().Match(e.Message);
                    Assert.True(match.Success && Codes.Contains(match.Groups["code"].Value), $"{call}: not a coded refusal: {e.Message}");
                    Interlocked.Increment(ref outcomes[1]);
                }
            },
            writeLine: output.WriteLine,
            iter: 10_000,
            threads: 4,
            print: sample => (sample.Hub == disputes ? "disputes." : "transactions.") + sample.Call);

        output.WriteLine($"results {outcomes[0]}, coded refusals {outcomes[1]}");
        Assert.Equal(HubConnectionState.Connected, fuzzer.Connection.State);
        Assert.Equal(HubConnectionState.Connected, disputes.Connection.State);
        Assert.Equal(ChatState.Open, (await disputes.Invoke<ChatSnapshot>("Join", "d-fz-own")).State);
        Assert.Equal(ChatState.Open, (await fuzzer.Invoke<ChatSnapshot>("Join", "tx-fz-open")).State);
        Assert.Equal(before, await SnapshotAsync(host, protectedIds));
        Assert.Equal(conversationsBefore, await Db(host, db => db.Set<ConversationRecord>().CountAsync()));
        var sequences = await Db(host, db => db.Set<EntryRecord>().Where(m => m.ConversationId == open).OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.DoesNotContain(host.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
    }

    private static async Task<T> Db<T>(ChatTestHost host, Func<ChatTestDbContext, Task<T>> query)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ChatTestDbContext>());
    }

    private static async Task<Guid> NewTransactionAsync(ChatTestHost host, string id, string buyer, string seller, bool paid)
    {
        host.Parties.Transactions[id] = new TransactionParties(buyer, seller);
        var registered = await host.Lifecycle(l => l.RegisterTransactionAsync(id));
        if (paid)
        {
            await host.Lifecycle(l => l.ConfirmPaymentAsync(id));
        }

        return registered.Conversation.Id;
    }

    private static async Task<Guid> JoinAndSendAsync(ChatClientProbe client, string transactionId, Guid conversationId, bool send = true)
    {
        await client.Invoke<ChatSnapshot>("Join", transactionId);
        return send ? (await client.Invoke<ChatMessage>("Send", conversationId, Guid.NewGuid(), "mine")).Id : Guid.Empty;
    }

    /// <summary>What must not move in a conversation the fuzzer may not write: its row, its messages, the others' read positions.</summary>
    private static Task<string> SnapshotAsync(ChatTestHost host, Guid[] ids) => Db(host, async db =>
    {
        var rows = await db.Set<ConversationRecord>().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id)
            .Select(c => $"{c.Id} {c.State} v{c.Version} s{c.LastSequence} d{c.HasDispute}").ToListAsync();
        // The log is append-only: edits and deletions are entries too, so the entries say everything about the messages.
        var messages = await db.Set<EntryRecord>().Where(m => ids.Contains(m.ConversationId)).OrderBy(m => m.ConversationId).ThenBy(m => m.Sequence)
            .Select(m => $"{m.ConversationId}#{m.Sequence} {m.Id} {m.Kind} {m.SenderId} {m.Text} {m.TargetId} {m.Hash}").ToListAsync();
        var reads = await db.Set<ParticipantRecord>().Where(p => ids.Contains(p.ConversationId) && p.UserId != Fuzzer)
            .OrderBy(p => p.ConversationId).ThenBy(p => p.UserId).Select(p => $"{p.ConversationId} {p.UserId} {p.Role} r{p.LastReadSequence}").ToListAsync();
        var fuzzerParticipations = await db.Set<ParticipantRecord>().CountAsync(p => p.UserId == Fuzzer);
        return string.Join("\n", rows.Concat(messages).Concat(reads)) + $"\nparticipations {fuzzerParticipations}";
    });

    private static Gen<Invocation> CallGen(Guid[] conversations, string[] transactions, Guid[] messages)
    {
        var junk = Gen.OneOf<Arg>(
            Gen.Const(new Arg(null)), Gen.Const(new Arg("not-a-guid")), Gen.Const(new Arg(1e30)), Gen.Const(new Arg(-1L)),
            Gen.Const(new Arg(true)), Gen.Const(new Arg("")), Gen.Int.Select(i => new Arg(i)), Gen.String.Select(s => new Arg(s)));
        Gen<Arg> Mostly(Gen<Arg> proper) => Gen.Frequency((9, proper), (1, junk));
        var conversation = Mostly(Gen.OneOf<Arg>(
            Gen.OneOf(conversations).Select(c => new Arg(c)), Gen.Guid.Select(g => new Arg(g)), Gen.Const(new Arg(Guid.Empty))));
        var text = Mostly(Gen.OneOf<Arg>(
            Gen.String.Select(s => new Arg(s)),
            Gen.Char.Array[0, 50].Select(c => new Arg(new string(c))),
            Gen.Const(new Arg("nul\0in the middle")), Gen.Const(new Arg(new string('x', 5000))), Gen.Const(new Arg("   ")),
            Gen.Const(new Arg("emoji 😀 and bidi \u202E gpj.exe"))));
        var externalId = Mostly(Gen.OneOf<Arg>(
            Gen.OneOf(transactions).Select(t => new Arg(t)), Gen.String.Select(s => new Arg(s)),
            Gen.Const(new Arg("tx\0nul")), Gen.Const(new Arg(new string('t', 300)))));
        var message = Mostly(Gen.OneOf<Arg>(Gen.OneOf(messages).Select(m => new Arg(m)), Gen.Guid.Select(g => new Arg(g))));
        var newId = Mostly(Gen.Guid.Select(g => new Arg(g)));
        var sequence = Mostly(Gen.OneOf<Arg>(Gen.Long.Select(l => new Arg(l)), Gen.Long[0, 100].Select(l => new Arg(l)), Gen.Const(new Arg(null))));
        var limit = Mostly(Gen.Int.Select(i => new Arg(i)));
        var flag = Mostly(Gen.Bool.Select(b => new Arg(b)));

        Gen<Invocation> Of(string method, params Gen<Arg>[] args) =>
            Gen.Select(args.Length == 0 ? Gen.Const(Array.Empty<object?>()) : GenArgs(args), a => new Invocation(method, a));

        return Gen.OneOf(
            Of("Join", externalId),
            Of("Send", conversation, newId, text),
            Of("SendAttachment", conversation, newId, message, text),
            Of("History", conversation, sequence, sequence, limit),
            Of("MarkRead", conversation, sequence),
            Of("Typing", conversation, flag),
            Of("Edit", conversation, message, text),
            Of("Delete", conversation, message),
            Of("Leave", conversation),
            Of("Send", conversation, text));   // a wrong argument count
    }

    private static Gen<object?[]> GenArgs(Gen<Arg>[] args) =>
        args.Aggregate(Gen.Const(Array.Empty<object?>()), (all, next) => Gen.Select(all, next, (a, n) => (object?[])[.. a, n.Value]));

    [GeneratedRegex(@"HubException: (?<code>[A-Za-z]+): ")]
    private static partial Regex RefusalPattern();

    /// <summary>One generated argument (a box, so that null is a value like any other).</summary>
    public sealed record Arg(object? Value);

    /// <summary>One hub invocation.</summary>
    public sealed record Invocation(string Method, object?[] Args)
    {
        public override string ToString() =>
            $"{Method}({string.Join(", ", Args.Select(a => a is string s ? $"\"{(s.Length > 40 ? s[..40] + "…" : s)}\"" : a?.ToString() ?? "null"))})";
    }
}

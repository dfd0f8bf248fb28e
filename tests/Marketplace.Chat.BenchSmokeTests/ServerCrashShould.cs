using System.Collections.Concurrent;
using System.Diagnostics;
using Marketplace.Chat.LoadGenerator;
using Marketplace.Chat.LoadGenerator.Driver;
using Microsoft.AspNetCore.SignalR.Client;

namespace Marketplace.Chat.BenchSmokeTests;

/// <summary>
/// kill -9 of the chat server (a child process, on a private PostgreSQL cluster with fsync on) while 20 conversations' clients
/// send through the group commit: every acknowledged message is stored, none twice, sequences stay gap-free, and after a
/// restart every send retried with its id is answered with the one stored copy.
/// </summary>
public sealed class ServerCrashShould
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Lose_no_acknowledged_message_and_store_none_twice_when_killed_during_batched_appends()
    {
        const int conversations = 20;
        await using var postgres = await BenchPostgres.StartAsync(60);
        var connection = await postgres.CreateDatabaseAsync("crash", 20);
        string[] serve = ["--mode", ServerMode.Chat, "--connection", connection, "--max-sends-per-second", "1000000", "--send-burst", "1000000"];
        var acked = new ConcurrentDictionary<Guid, long>();
        var attempted = new ConcurrentDictionary<Guid, BenchClient>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var server = await ServerProcess.StartAsync(serve);
        List<BenchClient> clients;
        try
        {
            await server.SetupAsync(0, conversations);
            clients = await ChatClients.ConnectAsync(server.BaseUrl, 0, conversations, tracker: null);
            var loops = clients.Select(client => Task.Run(async () =>
            {
                while (true)
                {
                    var id = Guid.NewGuid();
                    attempted[id] = client;
                    try
                    {
                        var message = await client.Connection.InvokeAsync<WireMessage>("Send", client.ConversationId, id, "before the crash");
                        acked[message.Id] = message.Sequence;
                        if (acked.Count >= 400)
                        {
                            enough.TrySetResult();
                        }
                    }
#pragma warning disable CA1031 // The crash ends every loop with some connection error; that is the point.
                    catch (Exception)
#pragma warning restore CA1031
                    {
                        return;
                    }
                }
            })).ToList();

            await enough.Task.WaitAsync(Timeout);
            using (var process = Process.GetProcessById(server.Pid))
            {
                process.Kill(); // SIGKILL: no shutdown, no flush beyond what each commit already made durable.
                await process.WaitForExitAsync().WaitAsync(Timeout);
            }

            await Task.WhenAll(loops).WaitAsync(Timeout);
            foreach (var client in clients)
            {
                await client.Connection.DisposeAsync();
            }
        }
        finally
        {
            await server.DisposeAsync();
        }

        var (stored, gaps) = await ChatLoad.StoredAsync(connection);
        Assert.Equal(0, gaps);
        Assert.All(acked.Keys, id => Assert.Contains(id, stored));
        Assert.All(stored, id => Assert.True(attempted.ContainsKey(id), "a stored message nobody sent"));

        // Restart on the same database and retry every send with its id: the stored copy answers, nothing is stored twice.
        await using var restarted = await ServerProcess.StartAsync(serve);
        var again = await ChatClients.ConnectAsync(restarted.BaseUrl, 0, conversations, tracker: null);
        var byUser = again.ToDictionary(c => c.UserId);
        try
        {
            foreach (var (id, first) in attempted)
            {
                var client = byUser[first.UserId];
                var message = await client.Connection.InvokeAsync<WireMessage>("Send", client.ConversationId, id, "before the crash")
                    .WaitAsync(Timeout);
                if (acked.TryGetValue(id, out var sequence))
                {
                    Assert.Equal(sequence, message.Sequence);
                }
            }
        }
        finally
        {
            foreach (var client in again)
            {
                await client.Connection.DisposeAsync();
            }
        }

        var (after, gapsAfter) = await ChatLoad.StoredAsync(connection);
        Assert.Equal(0, gapsAfter);
        Assert.Equal(attempted.Count, after.Count);
    }
}

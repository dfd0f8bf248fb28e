using Marketplace.Chat.LoadGenerator.Driver;
using Xunit.Abstractions;

namespace Marketplace.Chat.BenchSmokeTests;

/// <summary>
/// A few seconds of the real load generator (bare hub, chat, raw inserts; 5 conversations; server as a child process on a
/// private PostgreSQL cluster with fsync on): the counts must agree and latencies must have been measured.
/// </summary>
public sealed class LoadGeneratorSmokeShould(ITestOutputHelper output)
{
    [Fact]
    public async Task Account_for_every_message_in_every_mode()
    {
        var (runs, _, machine) = await LoadSuite.RunAsync(
            new SuiteOptions
            {
                Conversations = [5],
                Warmup = TimeSpan.FromSeconds(1),
                Duration = TimeSpan.FromSeconds(2),
                Drain = TimeSpan.FromSeconds(20),
                PoolSize = 20,
                PostgresMaxConnections = 60,
            },
            output.WriteLine);
        output.WriteLine(Report.Markdown(runs, []));

        Assert.Contains("fsync=on", machine, StringComparison.Ordinal);
        Assert.Contains("synchronous_commit=on", machine, StringComparison.Ordinal);
        Assert.Equal(["bare", "chat", "raw"], runs.Select(r => r.Mode));
        foreach (var run in runs)
        {
            Assert.True(run.Problems.Count == 0, $"{run.Mode}: {string.Join("; ", run.Problems)}");
            Assert.Empty(run.Errors);
            Assert.True(run.Sent > 0, $"{run.Mode} sent nothing");
            Assert.Equal(run.Sent, run.Acked);
            Assert.Equal(run.Acked, run.Delivered);
            Assert.True(run.Latency.Count > 0 && run.Latency.P99Ms > 0, $"{run.Mode}: no latency measured");
            Assert.True(run.ThroughputPerSecond > 0, $"{run.Mode}: no throughput");
        }

        var chat = runs.Single(r => r.Mode == "chat");
        Assert.Equal(chat.Acked, chat.Stored);
        Assert.Equal(0, chat.SequenceGaps);
        Assert.True(chat.ServerCpuMsPerMessage > 0 && chat.ServerAllocBytesPerMessage > 0, "server costs were not measured");
        Assert.True(chat.CountsAgree);

        var raw = runs.Single(r => r.Mode == "raw");
        Assert.Equal(raw.Acked, raw.Stored);
    }

    [Theory]
    [InlineData("An unexpected error occurred invoking 'Send' on the server. HubException: RateLimited: You are sending messages too fast; try again in 1 s.", "RateLimited")]
    [InlineData("HubException: ChatLocked: The chat unlocks when payment is confirmed.", "ChatLocked")]
    [InlineData("Something else", "HubException(Something else)")]
    public void Read_the_refusal_code(string message, string code) => Assert.Equal(code, ChatLoad.CodeOf(message));

    [Fact]
    public void Take_nearest_rank_percentiles()
    {
        var ticks = Enumerable.Range(1, 100).Select(i => i * System.Diagnostics.Stopwatch.Frequency / 1000).ToList();
        var summary = LatencySummary.FromTicks(ticks);
        Assert.Equal(50, summary.P50Ms, 3);
        Assert.Equal(99, summary.P99Ms, 3);
        Assert.Equal(100, summary.MaxMs, 3);
    }
}

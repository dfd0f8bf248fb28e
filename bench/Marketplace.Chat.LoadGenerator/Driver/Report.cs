using System.Globalization;
using System.Text;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>Markdown tables of a run's results, in the layout docs/benchmarks.md uses.</summary>
internal static class Report
{
    public static string Markdown(IReadOnlyList<RunResult> runs, IReadOnlyList<IdleResult> idle)
    {
        var md = new StringBuilder();
        if (runs.Count > 0)
        {
            md.AppendLine("| mode | C | clients | load | limits | msg/s | p50 ms | p95 ms | p99 ms | max ms | ack p99 ms | sent / acked / delivered / stored | errors | load avg start → end |");
            md.AppendLine("|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|---|---|");
            foreach (var r in runs)
            {
                md.AppendLine(Inv($"| {r.Mode} | {r.Conversations} | {r.Connections} | {r.Load} | {r.Limits} | {r.ThroughputPerSecond:0} | {r.Latency.P50Ms:0.0} | {r.Latency.P95Ms:0.0} | {r.Latency.P99Ms:0.0} | {r.Latency.MaxMs:0.0} | {r.AckLatency.P99Ms:0.0} | {r.Sent} / {r.Acked} / {r.Delivered} / {(r.Stored is { } s ? s.ToString(CultureInfo.InvariantCulture) : "–")} | {Errors(r)} | {r.LoadAverageStart} → {r.LoadAverageEnd} |"));
            }

            md.AppendLine();
            md.AppendLine("| mode | C | load | server CPU ms/msg | PostgreSQL CPU ms/msg | client CPU ms/msg | server alloc/msg | gen2 GCs | GC pause ms | server RSS at rest | GC heap at rest | RSS/client | heap/client |");
            md.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in runs)
            {
                md.AppendLine(Inv($"| {r.Mode} | {r.Conversations} | {r.Load} | {N(r.ServerCpuMsPerMessage, "0.000")} | {N(r.PostgresCpuMsPerMessage, "0.000")} | {N(r.DriverCpuMsPerMessage, "0.000")} | {Bytes(r.ServerAllocBytesPerMessage)} | {r.Gen2InWindow?.ToString(CultureInfo.InvariantCulture) ?? "–"} | {N(r.GcPauseMsInWindow, "0")} | {Bytes(r.ServerRssBytes)} | {Bytes(r.ServerGcHeapBytes)} | {Bytes(r.RssPerClientBytes)} | {Bytes(r.HeapPerClientBytes)} |"));
            }

            foreach (var r in runs.Where(r => r.RefusedInWindow > 0))
            {
                md.AppendLine();
                md.AppendLine(Inv($"Calls answered in the window, {r.Mode} C={r.Conversations} {r.Load} ({r.Limits}): {r.CallsInWindow} ({r.RefusedInWindow} refused, {(double)r.RefusedInWindow! / r.CallsInWindow!:P0}); server CPU {N(r.ServerCpuMsPerCall, "0.000")} ms per call, accepted or refused."));
            }

            var ratios = Ratios(runs);
            if (ratios.Length > 0)
            {
                md.AppendLine();
                md.AppendLine("| C | load | chat msg/s | ÷ bare hub | ÷ raw inserts | chat p99 ms | bare p99 ms | raw p99 ms |");
                md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
                md.Append(ratios);
            }

            foreach (var r in runs.Where(r => r.DbProfile is { Count: > 0 }))
            {
                var messages = Math.Max(1, r.ThroughputPerSecond * r.WindowSeconds);
                md.AppendLine();
                md.AppendLine(Inv($"Database round trips of {r.Mode} C={r.Conversations} {r.Load} (EF Core interceptor, measured window, ≈{messages:0} messages):"));
                md.AppendLine();
                md.AppendLine("| statement | per message | mean ms | share of DB time |");
                md.AppendLine("|---|---:|---:|---:|");
                var total = r.DbProfile!.Sum(p => p.TotalMs);
                foreach (var p in r.DbProfile!)
                {
                    md.AppendLine(Inv($"| `{p.Command.Replace("|", "\\|", StringComparison.Ordinal)}` | {p.Count / messages:0.00} | {p.MeanMs:0.00} | {p.TotalMs / total:P0} |"));
                }

                md.AppendLine(Inv($"| **all** | **{r.DbProfile!.Sum(p => p.Count) / messages:0.00}** | | |"));
            }

            foreach (var r in runs.Where(r => r.ServerLogProblems > 0))
            {
                md.AppendLine();
                md.AppendLine(Inv($"Server log, {r.Mode} C={r.Conversations} {r.Load}: {r.ServerLogProblems} warning/error lines; most frequent:"));
                foreach (var kind in r.ServerLogProblemKinds)
                {
                    md.AppendLine("- `" + kind.Replace("`", "'", StringComparison.Ordinal) + "`");
                }
            }

            foreach (var r in runs.Where(r => r.RedisCpuSeconds is not null))
            {
                var perMessage = r.ThroughputPerSecond > 0 ? r.RedisCpuSeconds!.Value * 1000 / (r.ThroughputPerSecond * r.WindowSeconds) : 0;
                md.AppendLine();
                md.AppendLine(Inv($"Redis, {r.Mode} C={r.Conversations} {r.Load}: redis-server CPU {r.RedisCpuSeconds:0.00} s in the window, {perMessage:0.000} ms per delivered message (server CPU above is the sum over the {r.Nodes} nodes)."));
            }

            var problems = runs.SelectMany(r => r.Problems.Select(p => $"{r.Mode} C={r.Conversations} {r.Load}: {p}")).ToList();
            md.AppendLine();
            md.AppendLine(problems.Count == 0
                ? "Counts: every acknowledged message was delivered to the other party and (chat, raw) found in the database; no duplicates, no sequence gaps."
                : "**COUNT MISMATCHES:**" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "- **" + p + "**")));
        }

        if (idle.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| mode | idle connections asked | connected | server RSS before → after | GC heap before → after | RSS/connection | heap/connection | server open files | load avg start → end | stopped by |");
            md.AppendLine("|---|---:|---:|---|---|---:|---:|---:|---|---|");
            foreach (var r in idle)
            {
                md.AppendLine(Inv($"| {r.Mode} | {r.Connections} | {r.Connected} | {Bytes(r.RssBefore)} → {Bytes(r.RssAfter)} | {Bytes(r.HeapBefore)} → {Bytes(r.HeapAfter)} | {Bytes(r.RssPerConnection)} | {Bytes(r.HeapPerConnection)} | {r.ServerOpenFiles} | {r.LoadAverageStart} → {r.LoadAverageEnd} | {r.Failure ?? "–"} |"));
            }
        }

        return md.ToString();
    }

    private static string Ratios(IReadOnlyList<RunResult> runs)
    {
        var md = new StringBuilder();
        foreach (var chat in runs.Where(r => r.Mode == ServerMode.Chat && r.Limits.StartsWith("raised", StringComparison.Ordinal)))
        {
            var bare = runs.FirstOrDefault(r => r.Mode == ServerMode.Bare && r.Conversations == chat.Conversations && r.Load == chat.Load);
            var raw = runs.FirstOrDefault(r => r.Mode == "raw" && r.Conversations == chat.Conversations);
            if (bare is null && raw is null)
            {
                continue;
            }

            md.AppendLine(Inv($"| {chat.Conversations} | {chat.Load} | {chat.ThroughputPerSecond:0} | {Ratio(chat.ThroughputPerSecond, bare?.ThroughputPerSecond)} | {(chat.Load == "closed" ? Ratio(chat.ThroughputPerSecond, raw?.ThroughputPerSecond) : "–")} | {chat.Latency.P99Ms:0.0} | {(bare is null ? "–" : bare.Latency.P99Ms.ToString("0.0", CultureInfo.InvariantCulture))} | {(raw is null || chat.Load != "closed" ? "–" : raw.Latency.P99Ms.ToString("0.0", CultureInfo.InvariantCulture))} |"));
        }

        return md.ToString();
    }

    private static string Ratio(double value, double? bound) => bound is > 0 ? (value / bound.Value).ToString("0.00", CultureInfo.InvariantCulture) : "–";

    private static string Errors(RunResult r) => r.Errors.Count == 0 ? "0" : string.Join(", ", r.Errors.Select(e => $"{e.Key} {e.Value}"));

    private static string N(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "–";

    internal static string Bytes(double? bytes) => bytes switch
    {
        null => "–",
        { } b when Math.Abs(b) >= 1024 * 1024 => (b / 1024 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        { } b when Math.Abs(b) >= 1024 => (b / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        { } b => b.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

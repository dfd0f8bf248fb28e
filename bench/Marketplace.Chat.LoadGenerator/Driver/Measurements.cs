using System.Diagnostics;
using System.Globalization;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>Percentiles of a set of latencies (nearest rank), in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double MeanMs)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Summarises Stopwatch-tick durations.</summary>
    public static LatencySummary FromTicks(List<long> ticks)
    {
        if (ticks.Count == 0)
        {
            return Empty;
        }

        ticks.Sort();
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency;
        double At(double q) => Ms(ticks[Math.Clamp((int)Math.Ceiling(q * ticks.Count) - 1, 0, ticks.Count - 1)]);
        return new LatencySummary(ticks.Count, At(0.50), At(0.95), At(0.99), Ms(ticks[^1]), ticks.Average(t => Ms(t)));
    }
}

/// <summary>Machine-level readings: load average, PostgreSQL's CPU time.</summary>
internal static class Machine
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>The 1-, 5- and 15-minute load averages, as /proc/loadavg shows them.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>CPU seconds (user + system) of a process and its live children, from /proc; 0 where /proc is unavailable.</summary>
    public static double ProcessTreeCpuSeconds(int rootPid)
    {
        if (rootPid <= 0 || !Directory.Exists("/proc"))
        {
            return 0;
        }

        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // afterName[0] = state (field 3), [1] = ppid (4), [11] = utime (14), [12] = stime (15)
                var ppid = int.Parse(afterName[1], CultureInfo.InvariantCulture);
                if (pid == rootPid || ppid == rootPid)
                {
                    ticks += long.Parse(afterName[11], CultureInfo.InvariantCulture) + long.Parse(afterName[12], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process ended while we read it.
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>This process's CPU seconds.</summary>
    public static double OwnCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The soft limit on open files, from /proc/self/limits.</summary>
    public static string OpenFilesLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line is null ? "n/a" : string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(3).Take(2));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}

using System.Globalization;

namespace Marketplace.Chat.LoadGenerator;

/// <summary>Parses <c>--name value</c> pairs and bare <c>--flag</c>s.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public CommandLine(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = "true";
                }

                pending = arg[2..];
                var eq = pending.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    _values[pending[..eq]] = pending[(eq + 1)..];
                    pending = null;
                }
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'. Use --name value.");
            }
        }

        if (pending is not null)
        {
            _values[pending] = "true";
        }
    }

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback) => String(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => String(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => String(name) is { } v && !string.Equals(v, "false", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<int> Ints(string name, params int[] fallback) => String(name) is { } v
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
        : fallback;

    public IReadOnlyList<string> Strings(string name, params string[] fallback) => String(name) is { } v
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        : fallback;
}

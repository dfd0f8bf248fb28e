using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Diagnostics;

/// <summary>Names the log category that writes request URLs, and the providers a rule for it must name to hold.</summary>
internal static class TokenLogging
{
    /// <summary>The hosting category whose "Request starting/finished" lines carry the URL, <c>?access_token=</c> included.</summary>
    public const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Gets null (every provider) and, per provider, the names a filter rule can match it by: full type name and alias.</summary>
    public static IEnumerable<string?> ProviderNames(IEnumerable<ILoggerProvider> providers)
    {
        var names = new List<string?> { null };
        foreach (var type in providers.Select(p => p.GetType()).Distinct())
        {
            names.Add(type.FullName);
            if (type.GetCustomAttribute<ProviderAliasAttribute>() is { } alias)
            {
                names.Add(alias.Alias);
            }
        }

        return names;
    }
}

using System.Globalization;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Persistence;

namespace Marketplace.Chat.Validation;

/// <summary>
/// Refuses, at the edge, input that can never be valid, with <see cref="ChatErrorCode.InvalidArgument"/>: text PostgreSQL
/// cannot store (NUL) or that is not valid UTF-16 (a lone surrogate cannot be encoded as UTF-8), ids longer than their
/// columns, malformed GUIDs and numbers out of range. Hubs, HTTP endpoints and the host-facing services all call it, so
/// nothing of the kind reaches the database and comes back as a generic failure.
/// </summary>
internal static class ChatInput
{
    /// <summary>Finds why a text cannot be stored, or returns null when it can.</summary>
    public static string? ProblemOf(string? value)
    {
        if (value is null)
        {
            return null;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return "contains a NUL character";
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                return "contains an unpaired surrogate (not valid Unicode)";
            }

            if (char.IsLowSurrogate(c))
            {
                return "contains an unpaired surrogate (not valid Unicode)";
            }
        }

        return null;
    }

    /// <summary>Refuses a text (a message, a caption, a file name) that contains what can never be stored.</summary>
    public static void RequireStorableText(string? value, string what)
    {
        if (ProblemOf(value) is { } problem)
        {
            throw Invalid($"The {what} {problem}.");
        }
    }

    /// <summary>Refuses a missing, blank, over-long or unstorable id (a transaction, dispute, user or party id).</summary>
    public static string RequireId(string? value, string what, int maxLength = ChatModelConfiguration.ExternalIdLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            throw Invalid($"The {what} must be between 1 and {maxLength} characters.");
        }

        RequireStorableText(value, what);
        return value;
    }

    /// <summary>Refuses an optional id that is present but over-long or unstorable.</summary>
    public static void RequireOptionalId(string? value, string what, int maxLength = ChatModelConfiguration.ExternalIdLength)
    {
        if (value is not null)
        {
            RequireId(value, what, maxLength);
        }
    }

    /// <summary>Checks the actor and event id a host passes with a lifecycle event, and gives an empty context for none.</summary>
    public static ChatEventContext Context(ChatEventContext? context)
    {
        if (context is null)
        {
            return new ChatEventContext();
        }

        RequireOptionalId(context.ActorId, "actor id", ChatModelConfiguration.UserIdLength);
        RequireOptionalId(context.EventId, "event id");
        return context;
    }

    /// <summary>Refuses a sequence number below zero (sequences start at 1; 0 means "before the first").</summary>
    public static long? RequireSequence(long? value, string what) =>
        value is < 0 ? throw Invalid($"The {what} must be zero or more.") : value;

    /// <summary>Parses a GUID from a route or query value.</summary>
    public static Guid Guid(string? value, string what) =>
        System.Guid.TryParse(value, CultureInfo.InvariantCulture, out var id) ? id : throw Invalid($"The {what} is not a GUID.");

    /// <summary>Parses an optional whole number from a query value, within a range.</summary>
    public static long? OptionalInt64(string? value, string what, long min = 0, long max = long.MaxValue)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw Invalid($"The {what} must be a whole number from {min} to {max}.");
    }

    /// <summary>Builds the refusal for input that can never be valid.</summary>
    public static ChatException Invalid(string reason) => new(ChatErrorCode.InvalidArgument, reason);
}

using System.Security.Cryptography;

namespace Marketplace.Chat.Messages;

/// <summary>One MAC key the host registered: its id, its bytes, and whether new entries are written with it.</summary>
internal sealed record ChatLogKeyRegistration(string KeyId, byte[] Key, bool IsCurrent);

/// <summary>
/// The host's keys for the conversation log's chain: one current key that new entries are written with, and retired
/// keys that only verify older entries. The keys never go to the database, so someone who can write the tables
/// cannot recompute a chain.
/// </summary>
internal sealed class ChatLogKeys
{
    /// <summary>The shortest key accepted, in bytes (the HMAC-SHA256 block of security).</summary>
    public const int MinimumKeyBytes = 32;

    internal const string MissingKeyMessage =
        "Marketplace.Chat has no key for its conversation log. Call services.AddMarketplaceChat(...).AddLogKey(\"key-id\", keyBytes) "
        + "with at least 32 random bytes kept outside the database (a secret store or a key file), so that entries can be chained; "
        + "keep older keys with .AddRetiredLogKey(\"old-id\", oldBytes) so their entries still verify.";

    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly string? _currentId;

    public ChatLogKeys(IEnumerable<ChatLogKeyRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            if (registration.IsCurrent)
            {
                if (_currentId is not null && !string.Equals(_currentId, registration.KeyId, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Marketplace.Chat got two current log keys ('{_currentId}' and '{registration.KeyId}'). Call AddLogKey once, "
                        + "for the key new entries are written with, and AddRetiredLogKey for each older key.");
                }

                _currentId = registration.KeyId;
            }

            if (_keys.TryGetValue(registration.KeyId, out var known) && !CryptographicOperations.FixedTimeEquals(known, registration.Key))
            {
                throw new InvalidOperationException(
                    $"Marketplace.Chat got two different log keys with the id '{registration.KeyId}'; every key needs its own id.");
            }

            _keys[registration.KeyId] = registration.Key;
        }
    }

    /// <summary>Gets whether a current key was registered.</summary>
    public bool HasCurrent => _currentId is not null;

    /// <summary>Gets the id of the key new entries are written with.</summary>
    public string CurrentId => _currentId ?? throw new InvalidOperationException(MissingKeyMessage);

    /// <summary>Gets the key new entries are written with.</summary>
    public ReadOnlySpan<byte> Current => _keys[CurrentId];

    /// <summary>Gets the ids of every registered key, current first.</summary>
    public IReadOnlyList<string> Ids => _keys.Keys.OrderBy(id => string.Equals(id, _currentId, StringComparison.Ordinal) ? 0 : 1)
        .ThenBy(id => id, StringComparer.Ordinal).ToList();

    /// <summary>Finds a key by id; false when the host does not hold it (the entry cannot be verified).</summary>
    public bool TryGet(string keyId, out ReadOnlySpan<byte> key)
    {
        if (_keys.TryGetValue(keyId, out var bytes))
        {
            key = bytes;
            return true;
        }

        key = default;
        return false;
    }

    /// <summary>Checks a key id and key the host passes, so a mistake fails where it is made.</summary>
    internal static void Validate(string keyId, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(key);
        if (keyId.Length is 0 or > Persistence.ChatModelConfiguration.KeyIdLength
            || !keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException(
                $"A log key id is 1 to {Persistence.ChatModelConfiguration.KeyIdLength} letters, digits, '-', '_' or '.', e.g. \"log-2026-01\".",
                nameof(keyId));
        }

        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException(
                $"A log key needs at least {MinimumKeyBytes} random bytes (e.g. RandomNumberGenerator.GetBytes(32)).", nameof(key));
        }
    }
}

using System.Text.Json.Serialization;

namespace Marketplace.Chat.Messages;

/// <summary>The result of checking a conversation's log against its chain and its head.</summary>
/// <param name="IsIntact">Whether every entry matches its hash, links to the one before, and the last one is the head on the conversation row.</param>
/// <param name="MessageCount">How many entries (of every kind) were checked and found intact.</param>
/// <param name="FirstBrokenSequence">The first entry that does not match, when broken.</param>
/// <param name="Damage">What is wrong at <paramref name="FirstBrokenSequence"/>, when broken.</param>
/// <param name="HeadHash">The head hash the log was checked against (the conversation row's last hash).</param>
/// <param name="KeyIds">The ids of the keys the entries are made with, in order of first use.</param>
public sealed record ChainVerification(
    bool IsIntact,
    long MessageCount,
    long? FirstBrokenSequence,
    ChainDamage? Damage = null,
    string? HeadHash = null,
    IReadOnlyList<string>? KeyIds = null);

/// <summary>Names what is wrong with the first entry of a log that does not verify.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChainDamage>))]
public enum ChainDamage
{
    /// <summary>The entry's content (text, code, sender, role, target, attachment, time...) or its hash was changed.</summary>
    ContentChanged = 1,

    /// <summary>An entry is missing: its sequence is absent, or the entry here links to one that is gone.</summary>
    EntryMissing,

    /// <summary>The entry is intact but not in its place: it links to an entry stored at another position.</summary>
    OrderChanged,

    /// <summary>Entries at the end are missing: the head on the conversation row names a later entry than the log holds.</summary>
    TailTruncated,

    /// <summary>The entry was made with a key the host does not hold (not registered with AddLogKey/AddRetiredLogKey).</summary>
    UnknownKey,
}

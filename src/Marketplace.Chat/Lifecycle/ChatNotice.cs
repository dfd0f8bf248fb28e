namespace Marketplace.Chat.Lifecycle;

/// <summary>
/// A notice the marketplace itself posts in a chat ("Parcel shipped, tracking 1Z…", "Refund of 12 € issued"): chained
/// in the log like every entry, pushed live, notified to the parties, allowed in every state.
/// </summary>
/// <param name="Code">What happened, for clients that translate or style it: 1 to 60 letters, digits, '.', '_' or '-', e.g. <c>OrderShipped</c>.</param>
/// <param name="Text">The sentence shown to people (plain text; control characters are removed).</param>
/// <param name="Parameters">Optional details (up to 20; keys like codes, values up to 500 characters), e.g. a tracking number.</param>
public sealed record ChatNotice(string Code, string Text, IReadOnlyDictionary<string, string>? Parameters = null);

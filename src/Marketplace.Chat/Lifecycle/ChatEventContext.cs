namespace Marketplace.Chat.Lifecycle;

/// <summary>Says who caused a lifecycle event and how to recognise it when it is delivered again.</summary>
/// <param name="ActorId">The user (or system, e.g. <c>payments</c>) that caused the event; recorded in the transition log.</param>
/// <param name="EventId">
/// The host's id of the event (a payment webhook's event id, say). A second delivery with the same id changes nothing.
/// Without it, one-shot events (payment confirmed, completed, cancelled, refunded) are still recognised, and so is
/// a repeat of the latest transition.
/// </param>
public sealed record ChatEventContext(string? ActorId = null, string? EventId = null);

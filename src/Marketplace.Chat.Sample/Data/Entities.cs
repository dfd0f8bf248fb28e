using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Sample.Data;

/// <summary>An account of the sample marketplace.</summary>
public sealed class User
{
    /// <summary>The role name of marketplace administrators (the chat's default <c>AdminRole</c>).</summary>
    public const string AdminRole = "Admin";

    /// <summary>The role name of everyone else.</summary>
    public const string MemberRole = "Member";

    /// <summary>Gets or sets the user id: what SignalR's <c>Context.UserIdentifier</c> returns for this user.</summary>
    public string Id { get; set; } = "";

    /// <summary>Gets or sets the sign-in e-mail address.</summary>
    public string Email { get; set; } = "";

    /// <summary>Gets or sets the name shown to other users.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>Gets or sets the password hash (ASP.NET Core Identity's <c>PasswordHasher</c> format).</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Gets or sets <see cref="AdminRole"/> or <see cref="MemberRole"/>.</summary>
    public string Role { get; set; } = MemberRole;
}

/// <summary>Something a seller offers.</summary>
public sealed class Listing
{
    /// <summary>Gets or sets the listing id.</summary>
    public string Id { get; set; } = "";

    /// <summary>Gets or sets the seller's user id.</summary>
    public string SellerId { get; set; } = "";

    /// <summary>Gets or sets the title.</summary>
    public string Title { get; set; } = "";

    /// <summary>Gets or sets the description.</summary>
    public string Description { get; set; } = "";

    /// <summary>Gets or sets the price in cents (euros).</summary>
    public int PriceCents { get; set; }

    /// <summary>Gets or sets the emoji that stands in for a photo.</summary>
    public string Emoji { get; set; } = "";

    /// <summary>Gets or sets the card's background colour (CSS hex).</summary>
    public string Color { get; set; } = "";

    /// <summary>Gets or sets when it was listed.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Where an order stands in the marketplace's own terms.</summary>
public enum OrderStatus
{
    /// <summary>Bought, waiting for payment.</summary>
    PendingPayment = 1,

    /// <summary>Paid; the seller ships.</summary>
    Paid,

    /// <summary>The buyer confirmed receipt.</summary>
    Completed,

    /// <summary>Cancelled before payment.</summary>
    Cancelled,

    /// <summary>A dispute is open.</summary>
    Disputed,

    /// <summary>Settled by an administrator after a dispute.</summary>
    Settled,

    /// <summary>Cancelled, and a payment that arrived after the cancellation was refunded.</summary>
    Refunded,
}

/// <summary>An order of the sample marketplace; its id is the chat's transaction id.</summary>
public sealed class Order
{
    /// <summary>Gets or sets the order id (the chat's transaction id).</summary>
    public string Id { get; set; } = "";

    /// <summary>Gets or sets the listing bought.</summary>
    public string ListingId { get; set; } = "";

    /// <summary>Gets or sets the buyer's user id.</summary>
    public string BuyerId { get; set; } = "";

    /// <summary>Gets or sets the seller's user id.</summary>
    public string SellerId { get; set; } = "";

    /// <summary>Gets or sets what was bought.</summary>
    public string Title { get; set; } = "";

    /// <summary>Gets or sets the amount in cents (euros).</summary>
    public int AmountCents { get; set; }

    /// <summary>Gets or sets where the order stands.</summary>
    public OrderStatus Status { get; set; } = OrderStatus.PendingPayment;

    /// <summary>Gets or sets the payment provider's event id that confirmed payment.</summary>
    public string? PaymentEventId { get; set; }

    /// <summary>Gets or sets when the order was placed.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Gets or sets when the payment was confirmed.</summary>
    public DateTimeOffset? PaidAt { get; set; }
}

/// <summary>A dispute about an order; its id is the chat's dispute id.</summary>
public sealed class Dispute
{
    /// <summary>Gets or sets the dispute id.</summary>
    public string Id { get; set; } = "";

    /// <summary>Gets or sets the order it is about.</summary>
    public string OrderId { get; set; } = "";

    /// <summary>Gets or sets who opened it.</summary>
    public string OpenedById { get; set; } = "";

    /// <summary>Gets or sets why.</summary>
    public string Reason { get; set; } = "";

    /// <summary>Gets or sets the administrator who took it, once one has.</summary>
    public string? AssignedAdminId { get; set; }

    /// <summary>Gets or sets the outcome, once resolved.</summary>
    public DisputeOutcome? Outcome { get; set; }

    /// <summary>Gets or sets the administrator's note on the resolution.</summary>
    public string? ResolutionNote { get; set; }

    /// <summary>Gets or sets when it was opened.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Gets or sets when it was resolved.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
}

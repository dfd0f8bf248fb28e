namespace Marketplace.Chat.Notifications;

/// <summary>
/// Delivers notifications to a host's own system (e-mail, push, webhook). Called after commit, at least once per
/// notification, with a timeout; a handler that throws is retried with back-off and never undoes the message.
/// Register with <c>AddNotificationHandler&lt;T&gt;()</c>; several may be registered.
/// </summary>
public interface IChatNotificationHandler
{
    /// <summary>Delivers one notification; throw to have it retried later. De-duplicate by <see cref="ChatNotification.Id"/>.</summary>
    Task HandleAsync(ChatNotification notification, CancellationToken cancellationToken);
}

/// <summary>Lists the marketplace's administrators, so dispute events reach those who have not joined yet. Optional.</summary>
public interface IChatAdministrators
{
    /// <summary>Gets the user ids of every administrator who should hear of new disputes.</summary>
    ValueTask<IReadOnlyCollection<string>> GetAdministratorIdsAsync(CancellationToken cancellationToken);
}

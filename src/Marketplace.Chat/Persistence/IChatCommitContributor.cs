namespace Marketplace.Chat.Persistence;

/// <summary>
/// Adds rows to a chat transaction just before it is saved (in the same commit) and hears when it committed.
/// Persistence owns this seam so that features above it (notifications) can ride on every write without the
/// store knowing them.
/// </summary>
internal interface IChatCommitContributor
{
    /// <summary>Adds this feature's rows for what the transaction is about to save.</summary>
    Task ContributeAsync(ChatStore store, CancellationToken cancellationToken);

    /// <summary>Called after the transaction committed.</summary>
    void Committed();
}

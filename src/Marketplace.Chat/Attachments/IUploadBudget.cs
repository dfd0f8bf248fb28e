namespace Marketplace.Chat.Attachments;

/// <summary>
/// The per-user upload limits that live outside the database: uploads in flight, and the inspection time that
/// rejected uploads have cost. The stored-bytes quotas are counted from the attachment rows instead, so every node
/// sees the same numbers. The built-in implementation keeps the counters in this process; a shared store (Redis)
/// can implement the same contract for several nodes.
/// </summary>
internal interface IUploadBudget
{
    /// <summary>Takes one of the user's in-flight upload slots; dispose the result to give it back. Returns null when all are taken.</summary>
    IDisposable? TryStartUpload(string userId);

    /// <summary>Gets how long the user must wait before rejected inspections are allowed again, or <see cref="TimeSpan.Zero"/> when they have budget left.</summary>
    TimeSpan InspectionRetryAfter(string userId);

    /// <summary>Charges the inspection time of an upload that was refused to the user's budget.</summary>
    void ChargeRejectedInspection(string userId, TimeSpan cost);
}

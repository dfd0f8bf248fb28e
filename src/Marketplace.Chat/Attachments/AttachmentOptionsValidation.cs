using Marketplace.Chat.Attachments.Inspection;
namespace Marketplace.Chat.Attachments;

/// <summary>Lists what is wrong with <see cref="ChatOptions.Attachments"/>, naming the option and the accepted range.</summary>
internal static class AttachmentOptionsValidation
{
    /// <summary>The largest image limit: the inspection holds one image in a byte array.</summary>
    public const long MaxImageBytesCeiling = 1024L * 1024 * 1024;

    /// <summary>Adds one sentence per problem to <paramref name="failures"/>.</summary>
    public static void Validate(AttachmentOptions options, List<string> failures)
    {
        const string prefix = "ChatOptions.Attachments.";
        if (options.MaxImageBytes is < 1 or > MaxImageBytesCeiling)
        {
            failures.Add($"{prefix}{nameof(options.MaxImageBytes)} must be between 1 and {MaxImageBytesCeiling} (was {options.MaxImageBytes}).");
        }

        if (options.MaxFileBytes < 1)
        {
            failures.Add($"{prefix}{nameof(options.MaxFileBytes)} must be at least 1 (was {options.MaxFileBytes}).");
        }

        if (options.MaxImagePixels < 1 || options.MaxArchiveExpandedBytes < 1 || options.MaxArchiveEntries < 1)
        {
            failures.Add($"{prefix}MaxImagePixels, MaxArchiveExpandedBytes and MaxArchiveEntries must be at least 1.");
        }

        if (!(options.MaxArchiveCompressionRatio >= 1))
        {
            failures.Add($"{prefix}{nameof(options.MaxArchiveCompressionRatio)} must be at least 1 (was {options.MaxArchiveCompressionRatio}).");
        }

        CheckSupported(options.AllowedImageTypes, AttachmentInspector.SupportedImageTypes, prefix + nameof(options.AllowedImageTypes), failures);
        CheckSupported(options.AllowedFileTypes, AttachmentInspector.SupportedFileTypes, prefix + nameof(options.AllowedFileTypes), failures);

        if (options.StorageRoot is not null && (string.IsNullOrWhiteSpace(options.StorageRoot) || options.StorageRoot.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            failures.Add($"{prefix}{nameof(options.StorageRoot)} must be a folder path, or null for App_Data/chat-attachments under the content root.");
        }

        if (options.UnreferencedUploadLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.UnreferencedUploadLifetime)} must be positive (was {options.UnreferencedUploadLifetime}).");
        }

        if (options.CleanupInterval <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.CleanupInterval)} must be positive (was {options.CleanupInterval}).");
        }

        ValidateInspection(options, prefix, failures);

        if (options.MaxPendingUploadsPerUser < 1)
        {
            failures.Add($"{prefix}{nameof(options.MaxPendingUploadsPerUser)} must be at least 1 (was {options.MaxPendingUploadsPerUser}).");
        }
    }

    private static void ValidateInspection(AttachmentOptions options, string prefix, List<string> failures)
    {
        if (options.MaxImageFrames < 1)
        {
            failures.Add($"{prefix}{nameof(options.MaxImageFrames)} must be at least 1 (was {options.MaxImageFrames}).");
        }

        if (options.PreviewMaxSide is < 16 or > 4096)
        {
            failures.Add($"{prefix}{nameof(options.PreviewMaxSide)} must be between 16 and 4096 (was {options.PreviewMaxSide}).");
        }

        if (options.MaxConcurrentImageDecodes < 1)
        {
            failures.Add($"{prefix}{nameof(options.MaxConcurrentImageDecodes)} must be at least 1 (was {options.MaxConcurrentImageDecodes}).");
        }

        if (options.ImageDecodeTimeout <= TimeSpan.Zero || options.DocumentInspectionTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.ImageDecodeTimeout)} and {nameof(options.DocumentInspectionTimeout)} must be positive.");
        }

        if (options.MaxConcurrentUploadsPerUser < 1)
        {
            failures.Add($"{prefix}{nameof(options.MaxConcurrentUploadsPerUser)} must be at least 1 (was {options.MaxConcurrentUploadsPerUser}).");
        }

        if (options.MaxStoredBytesPerUser < 1 || options.MaxStoredBytesPerConversation < 1)
        {
            failures.Add($"{prefix}{nameof(options.MaxStoredBytesPerUser)} and {nameof(options.MaxStoredBytesPerConversation)} must be at least 1.");
        }

        if (options.RejectedInspectionBudget <= TimeSpan.Zero || options.RejectedInspectionWindow <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(options.RejectedInspectionBudget)} and {nameof(options.RejectedInspectionWindow)} must be positive.");
        }
    }

    private static void CheckSupported(ISet<string>? allowed, IReadOnlySet<string> supported, string name, List<string> failures)
    {
        if (allowed is null)
        {
            failures.Add($"{name} must not be null; clear the set to allow none.");
            return;
        }

        var unsupported = allowed.Where(type => !supported.Contains(type)).ToList();
        if (unsupported.Count > 0)
        {
            failures.Add(
                $"{name} contains {string.Join(", ", unsupported)}, which the attachment inspection cannot verify. "
                + $"Supported: {string.Join(", ", supported.Order(StringComparer.Ordinal))}.");
        }
    }
}

using Marketplace.Chat.DependencyInjection;

namespace Marketplace.Chat.Tests.Attachments;

public class AttachmentOptionsValidationShould
{
    [Fact]
    public void Accept_the_defaults()
    {
        Assert.True(new ChatOptionsValidator().Validate(null, new ChatOptions()).Succeeded);
    }

    [Fact]
    public void Name_every_attachment_option_that_cannot_work()
    {
        var options = new ChatOptions();
        options.Attachments.MaxImageBytes = 0;
        options.Attachments.MaxFileBytes = -1;
        options.Attachments.MaxArchiveCompressionRatio = double.NaN;
        options.Attachments.AllowedImageTypes.Add("image/svg+xml");
        options.Attachments.AllowedFileTypes.Add("text/html");
        options.Attachments.StorageRoot = " ";
        options.Attachments.UnreferencedUploadLifetime = TimeSpan.Zero;
        options.Attachments.CleanupInterval = TimeSpan.FromSeconds(-1);
        options.Attachments.MaxPendingUploadsPerUser = 0;

        var result = new ChatOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(9, failures.Count);
        foreach (var name in new[]
                 {
                     "MaxImageBytes", "MaxFileBytes", "MaxArchiveCompressionRatio", "AllowedImageTypes contains image/svg+xml",
                     "AllowedFileTypes contains text/html", "StorageRoot", "UnreferencedUploadLifetime", "CleanupInterval", "MaxPendingUploadsPerUser",
                 })
        {
            Assert.Contains(failures, f => f.Contains("ChatOptions.Attachments." + name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Name_every_decoding_preview_and_quota_option_that_cannot_work()
    {
        var options = new ChatOptions();
        options.Attachments.MaxImageFrames = 0;
        options.Attachments.PreviewMaxSide = 8;
        options.Attachments.MaxConcurrentImageDecodes = 0;
        options.Attachments.ImageDecodeTimeout = TimeSpan.Zero;
        options.Attachments.MaxConcurrentUploadsPerUser = 0;
        options.Attachments.MaxStoredBytesPerConversation = 0;
        options.Attachments.RejectedInspectionWindow = TimeSpan.FromSeconds(-1);

        var result = new ChatOptionsValidator().Validate(null, options);

        var failures = result.Failures!.ToList();
        Assert.Equal(7, failures.Count);
        foreach (var name in new[]
                 {
                     "MaxImageFrames", "PreviewMaxSide must be between 16 and 4096", "MaxConcurrentImageDecodes", "ImageDecodeTimeout",
                     "MaxConcurrentUploadsPerUser", "MaxStoredBytesPerConversation", "RejectedInspectionWindow",
                 })
        {
            Assert.Contains(failures, f => f.Contains(name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Refuse_an_image_limit_the_inspection_cannot_hold_in_memory()
    {
        var options = new ChatOptions();
        options.Attachments.MaxImageBytes = 3L * 1024 * 1024 * 1024;

        var result = new ChatOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.Contains("MaxImageBytes must be between 1 and 1073741824", StringComparison.Ordinal));
    }
}

using System.Security.Cryptography;
using Marketplace.Chat.Attachments;
using Marketplace.Chat.Attachments.Inspection;

namespace Marketplace.Chat.Tests.Attachments;

/// <summary>Checks the attachment content inspection; split by concern into partial files.</summary>
public partial class AttachmentInspectorShould
{
    private static async Task<(AttachmentInspection Result, byte[] Stored)> InspectAsync(byte[] content, AttachmentOptions? options = null)
    {
        var inspector = new AttachmentInspector(options ?? new AttachmentOptions());
        using var input = new MemoryStream(content, writable: false);
        using var output = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await inspector.InspectAsync(input, output, timeout.Token);
        return (result, output.ToArray());
    }

    private static async Task<AttachmentInspection> AssertAcceptedAsync(byte[] content, AttachmentOptions? options = null)
    {
        var (result, stored) = await InspectAsync(content, options);
        Assert.True(result.Accepted, $"Expected acceptance but got {result.RejectionCode}: {result.RejectionReason}");
        Assert.Null(result.RejectionCode);
        Assert.Null(result.RejectionReason);
        Assert.Equal(stored.Length, result.StoredLength);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), result.Sha256);
        return result;
    }

    private static async Task<AttachmentInspection> AssertRejectedAsync(byte[] content, ChatErrorCode expected, AttachmentOptions? options = null)
    {
        var (result, _) = await InspectAsync(content, options);
        Assert.False(result.Accepted);
        Assert.Equal(expected, result.RejectionCode);
        Assert.False(string.IsNullOrWhiteSpace(result.RejectionReason));
        Assert.Equal(string.Empty, result.Sha256);
        return result;
    }
}

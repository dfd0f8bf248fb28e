using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Evidence;

namespace Marketplace.Chat.Tests.Evidence;

public class ChatEvidenceOptionsShould
{
    [Fact]
    public void Fail_start_up_without_a_signing_key_and_name_the_call_that_fixes_it()
    {
        var result = new ChatEvidenceOptionsValidator().Validate(null, new ChatEvidenceOptions());

        Assert.True(result.Failed);
        Assert.Contains("AddEvidenceExport(o => o.SigningKey = ChatEvidenceSigningKey.LoadOrCreate(", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Accept_a_signing_key_when_a_font_is_available()
    {
        using var key = EvidenceSamples.NewKey();

        var result = new ChatEvidenceOptionsValidator().Validate(null, new ChatEvidenceOptions { SigningKey = key });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Offer_a_file_name_without_characters_a_file_system_or_header_would_trip_on()
    {
        var name = ChatEvidenceExportService.FileName("D/42 \"x\"\r\n", new DateTimeOffset(2026, 12, 1, 14, 0, 0, TimeSpan.Zero));

        Assert.Equal("evidence-D_42__x___-20261201T140000Z.zip", name);
    }
}

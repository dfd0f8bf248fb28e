using Marketplace.Chat.EvidenceVerifier;

namespace Marketplace.Chat.Tests.Evidence;

public sealed class EvidenceVerifierToolShould : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("evidence-tool-").FullName;

    [Fact]
    public async Task Print_OK_and_exit_zero_for_an_intact_bundle_with_the_pinned_fingerprint()
    {
        using var key = EvidenceSamples.NewKey();
        var path = await Save("bundle.zip", await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key));

        var (code, output, _) = await Run(path, "--fingerprint", key.Fingerprint);

        Assert.Equal(0, code);
        Assert.StartsWith("OK: evidence bundle for dispute D-2026-0042 (transaction T-9001)", output, StringComparison.Ordinal);
        Assert.Contains($"fingerprint {key.Fingerprint} (pinned)", output, StringComparison.Ordinal);
        Assert.Contains("entry MACs: not checked", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Print_what_is_wrong_and_exit_one_when_a_file_was_changed()
    {
        using var key = EvidenceSamples.NewKey();
        var files = EvidenceSamples.Unzip(await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key));
        files["dispute-chat/log.json"] = files["dispute-chat/log.json"].Select((b, i) => i == 200 ? (byte)(b ^ 0x20) : b).ToArray();
        var path = await Save("changed.zip", EvidenceSamples.Zip(files));

        var (code, output, _) = await Run(path);

        Assert.Equal(1, code);
        Assert.StartsWith("FAILED: evidence bundle for dispute D-2026-0042", output, StringComparison.Ordinal);
        Assert.Contains("  dispute-chat/log.json: has SHA-256 ", output, StringComparison.Ordinal);
        Assert.Contains("(taken from the bundle, not pinned", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_the_entry_MACs_with_a_log_key_from_a_file()
    {
        using var key = EvidenceSamples.NewKey();
        var path = await Save("bundle.zip", await EvidenceSamples.WriteAsync(EvidenceSamples.Content(), key));
        var keyFile = await Save("chat-log.key", System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(EvidenceSamples.LogKey)));

        var (code, output, _) = await Run(path, "--log-key", $"{EvidenceSamples.LogKeyId}=@{keyFile}");
        var (wrong, wrongOutput, _) = await Run(path, "--log-key", $"{EvidenceSamples.LogKeyId}={Convert.ToBase64String(new byte[32])}");

        Assert.Equal(0, code);
        Assert.Contains("entry MACs: every entry's keyed MAC checked", output, StringComparison.Ordinal);
        Assert.Equal(1, wrong);
        Assert.Contains("transaction-chat/log.json: entry #1: ContentChanged", wrongOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_two_with_the_usage_when_called_wrongly()
    {
        var (none, _, usage) = await Run();
        var (missing, _, message) = await Run(Path.Combine(_folder, "absent.zip"));
        var (badFingerprint, _, _) = await Run(await Save("x.zip", [1, 2, 3]), "--fingerprint", "not-hex");

        Assert.Equal(2, none);
        Assert.Contains("Usage: Marketplace.Chat.EvidenceVerifier <bundle.zip>", usage, StringComparison.Ordinal);
        Assert.Equal(2, missing);
        Assert.Contains("does not exist", message, StringComparison.Ordinal);
        Assert.Equal(2, badFingerprint);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string> Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await VerifierCommand.RunAsync(args, output, error).WaitAsync(TimeSpan.FromSeconds(30));
        return (code, output.ToString(), error.ToString());
    }
}

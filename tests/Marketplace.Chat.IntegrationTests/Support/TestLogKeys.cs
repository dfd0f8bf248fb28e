namespace Marketplace.Chat.IntegrationTests.Support;

/// <summary>The MAC keys the test hosts chain their logs with, as a host would load them from its secret store.</summary>
public static class TestLogKeys
{
    /// <summary>The id of the key every test host writes with.</summary>
    public const string CurrentId = "test-log-1";

    /// <summary>The bytes of the key every test host writes with: the same in every process, as nodes of one deployment share it.</summary>
    public static byte[] Current { get; } = System.Security.Cryptography.SHA256.HashData("marketplace-chat-test-log-key-1"u8);
}

namespace Marketplace.Chat.IntegrationTests.Support;

/// <summary>The MAC keys the test hosts chain their logs with, as a host would load them from its secret store.</summary>
public static class TestLogKeys
{
    /// <summary>The id of the key every test host writes with.</summary>
    public const string CurrentId = "test-log-1";

    /// <summary>The bytes of the key every test host writes with.</summary>
    public static byte[] Current { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
}

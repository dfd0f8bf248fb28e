namespace Marketplace.Chat.Sample.Chat;

/// <summary>Runs the sample's chat on several nodes when Redis is configured (scripts/cluster.sh does).</summary>
public static class ChatScaleOut
{
    /// <summary>Adds Redis (live events, presence, budgets and connection caps shared by every node) when <c>ConnectionStrings:Redis</c> is set.</summary>
    public static ChatBuilder AddSampleScaleOut(this ChatBuilder chat, IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")) ? chat : chat.AddRedis(configuration);
}

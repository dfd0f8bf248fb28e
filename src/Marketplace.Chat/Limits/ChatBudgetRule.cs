namespace Marketplace.Chat.Limits;

/// <summary>A token bucket: <see cref="Burst"/> calls at once, then <see cref="PerSecond"/> on average.</summary>
public sealed class ChatBudgetRule
{
    /// <summary>Creates a rule.</summary>
    /// <param name="perSecond">The steady rate, in calls per second.</param>
    /// <param name="burst">How many calls may come at once.</param>
    public ChatBudgetRule(double perSecond, int burst)
    {
        PerSecond = perSecond;
        Burst = burst;
    }

    /// <summary>Gets or sets the steady rate, in calls per second (tokens added per second).</summary>
    public double PerSecond { get; set; }

    /// <summary>Gets or sets how many calls may come at once (the bucket's size).</summary>
    public int Burst { get; set; }
}

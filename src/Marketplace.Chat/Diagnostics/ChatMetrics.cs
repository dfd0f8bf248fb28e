using System.Diagnostics.Metrics;

namespace Marketplace.Chat.Diagnostics;

/// <summary>The library's instruments, on the meter named <see cref="MeterName"/>.</summary>
internal sealed class ChatMetrics
{
    /// <summary>The name of the meter hosts subscribe to (OpenTelemetry, dotnet-counters).</summary>
    public const string MeterName = "Marketplace.Chat";

    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _budgetRefusals;
    private readonly Counter<long> _redisFallbacks;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _messagesSent = meter.CreateCounter<long>("marketplace.chat.messages.sent", "{message}", "Messages stored, by kind.");
        _transitions = meter.CreateCounter<long>("marketplace.chat.transitions", "{transition}", "Lifecycle transitions committed, by trigger.");
        _refusals = meter.CreateCounter<long>("marketplace.chat.refusals", "{refusal}", "Requests refused, by code.");
        _notifications = meter.CreateCounter<long>(
            "marketplace.chat.notifications.dispatched", "{notification}", "Notifications delivered to a handler, by handler.");
        _budgetRefusals = meter.CreateCounter<long>("marketplace.chat.budget.refusals", "{refusal}", "Calls refused by a per-user budget, by budget.");
        _redisFallbacks = meter.CreateCounter<long>(
            "marketplace.chat.redis.fallbacks", "{call}", "Budget, connection and presence calls answered locally because Redis could not be reached, by what.");
    }

    public void MessageSent(string kind) => _messagesSent.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Transitioned(string trigger) => _transitions.Add(1, new KeyValuePair<string, object?>("trigger", trigger));

    public void NotificationDispatched(string handler) =>
        _notifications.Add(1, new KeyValuePair<string, object?>("handler", handler));

    /// <summary>Counts a refusal at the edge unless it was counted where it was decided.</summary>
    public void Refused(ChatException refusal)
    {
        if (!refusal.Counted)
        {
            Refused(refusal.Code);
        }
    }

    public void BudgetRefused(Limits.ChatBudget budget) => _budgetRefusals.Add(1, new KeyValuePair<string, object?>("budget", budget.ToString()));

    public void RedisFallback(string what) => _redisFallbacks.Add(1, new KeyValuePair<string, object?>("what", what));

    public void Refused(ChatErrorCode code) => _refusals.Add(1, new KeyValuePair<string, object?>("code", code.ToString()));
}

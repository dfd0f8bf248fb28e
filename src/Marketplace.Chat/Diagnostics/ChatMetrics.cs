using System.Diagnostics.Metrics;

namespace Marketplace.Chat.Diagnostics;

/// <summary>The library's instruments, on the meter named <see cref="MeterName"/>.</summary>
internal sealed class ChatMetrics
{
    /// <summary>The name of the meter hosts subscribe to (OpenTelemetry, dotnet-counters).</summary>
    public const string MeterName = ChatDiagnostics.MeterName;

    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _notifications;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _messagesSent = meter.CreateCounter<long>("marketplace.chat.messages.sent", "{message}", "Messages stored, by kind.");
        _transitions = meter.CreateCounter<long>("marketplace.chat.transitions", "{transition}", "Lifecycle transitions committed, by trigger.");
        _refusals = meter.CreateCounter<long>("marketplace.chat.refusals", "{refusal}", "Requests refused, by code.");
        _notifications = meter.CreateCounter<long>(
            "marketplace.chat.notifications.dispatched", "{notification}", "Notifications delivered to a handler, by handler.");
    }

    public void MessageSent(string kind) => _messagesSent.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Transitioned(string trigger) => _transitions.Add(1, new KeyValuePair<string, object?>("trigger", trigger));

    public void NotificationDispatched(string handler) =>
        _notifications.Add(1, new KeyValuePair<string, object?>("handler", handler));

    public void Refused(ChatErrorCode code) => _refusals.Add(1, new KeyValuePair<string, object?>("code", code.ToString()));
}

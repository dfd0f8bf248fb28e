namespace Marketplace.Chat.Diagnostics;

/// <summary>
/// Names the chat's telemetry sources, for OpenTelemetry (<c>AddMeter(ChatDiagnostics.MeterName)</c>,
/// <c>AddSource(ChatDiagnostics.ActivitySourceName)</c>), <c>dotnet-counters</c> or a <c>MeterListener</c>.
/// </summary>
public static class ChatDiagnostics
{
    /// <summary>The name of the meter every chat instrument is on (<c>marketplace.chat.*</c> counters).</summary>
    public const string MeterName = "Marketplace.Chat";

    /// <summary>The name of the activity source of the chat's spans: one per hub method call and per lifecycle call.</summary>
    public const string ActivitySourceName = "Marketplace.Chat";
}

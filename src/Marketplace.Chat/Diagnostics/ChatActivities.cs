using System.Diagnostics;

namespace Marketplace.Chat.Diagnostics;

/// <summary>The chat's activity source; an activity is only created when someone listens (OpenTelemetry, a test listener).</summary>
internal static class ChatActivities
{
    public static readonly ActivitySource Source = new(ChatDiagnostics.ActivitySourceName);

    /// <summary>Marks an activity as failed: a refusal keeps its code, anything else its exception type.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        if (exception is ChatException refusal)
        {
            activity.SetTag("marketplace.chat.refusal", refusal.Code.ToString());
            activity.SetStatus(ActivityStatusCode.Error, refusal.Code.ToString());
        }
        else
        {
            activity.SetTag("error.type", exception.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}

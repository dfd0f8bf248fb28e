using System.Diagnostics.Metrics;
using Marketplace.Chat.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Tests.Diagnostics;

public sealed class ChatDiagnosticsShould
{
    [Fact]
    public void Publish_the_chats_instruments_on_the_meter_named_by_the_constant()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new ChatMetrics(services.GetRequiredService<IMeterFactory>());
        var seen = new List<(string Instrument, long Value, string? Code)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ChatDiagnostics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add((instrument.Name, value, tags.ToArray().FirstOrDefault(t => t.Key == "code").Value as string)));
        listener.Start();

        metrics.Refused(ChatErrorCode.RateLimited);

        Assert.Equal("Marketplace.Chat", ChatDiagnostics.MeterName);
        Assert.Equal("Marketplace.Chat", ChatDiagnostics.ActivitySourceName);
        Assert.Contains(("marketplace.chat.refusals", 1L, "RateLimited"), seen);
    }
}

using Marketplace.Chat.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Marketplace.Chat.Sample.Chat;

/// <summary>
/// OpenTelemetry for the chat's meter and activity source (<see cref="ChatDiagnostics"/>), with the exporter chosen by
/// configuration: <c>Sample:Telemetry:Exporter</c> = <c>none</c> (default), <c>console</c> or <c>otlp</c> (endpoint from
/// <c>Sample:Telemetry:OtlpEndpoint</c> or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
/// </summary>
public static class ChatTelemetry
{
    /// <summary>Adds OpenTelemetry metrics and traces for the chat when an exporter is configured.</summary>
    public static WebApplicationBuilder AddChatTelemetry(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Sample:Telemetry");
        var exporter = (section["Exporter"] ?? "none").Trim().ToLowerInvariant();
        if (exporter is "none" or "")
        {
            return builder;
        }

        if (exporter is not ("console" or "otlp"))
        {
            throw new InvalidOperationException($"Sample:Telemetry:Exporter is '{exporter}': use none, console or otlp.");
        }

        var endpoint = section.GetValue<Uri?>("OtlpEndpoint");
        var interval = section.GetValue("ExportIntervalMilliseconds", 10_000);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("Marketplace.Chat.Sample"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ChatDiagnostics.MeterName);
                if (exporter == "console")
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
                }
                else
                {
                    metrics.AddOtlpExporter((o, reader) =>
                    {
                        if (endpoint is not null)
                        {
                            o.Endpoint = endpoint;
                        }

                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                }
            })
            .WithTracing(tracing =>
            {
                // ASP.NET Core's own source too: a chat span whose parent (the request) is not recorded would be dropped by
                // the default parent-based sampler, and the request span gives the chat's spans their context.
                tracing.AddSource(ChatDiagnostics.ActivitySourceName, "Microsoft.AspNetCore");
                if (exporter == "console")
                {
                    tracing.AddConsoleExporter();
                }
                else
                {
                    tracing.AddOtlpExporter(o =>
                    {
                        if (endpoint is not null)
                        {
                            o.Endpoint = endpoint;
                        }
                    });
                }
            });
        return builder;
    }
}

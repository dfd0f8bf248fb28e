using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Attachments;

/// <summary>Runs <see cref="AttachmentSweeper"/> every <see cref="AttachmentOptions.CleanupInterval"/> while the host runs.</summary>
internal sealed class AttachmentCleanupService(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<ChatOptions> options,
    ILogger<AttachmentCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Attachments.CleanupInterval;
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SweepOnceAsync(interval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task SweepOnceAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var sweeper = scope.ServiceProvider.GetRequiredService<AttachmentSweeper>();
            await sweeper.SweepAsync(clock.GetUtcNow(), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed round (database briefly down) must not stop the host or later rounds.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AttachmentLog.SweepFailed(logger, ex, interval);
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Attachments;

/// <summary>
/// Keeps <see cref="IUploadBudget"/>'s counters in this process: a slot count per user, and per user the inspection
/// time of rejected uploads within a fixed window of <see cref="AttachmentOptions.RejectedInspectionWindow"/>.
/// </summary>
internal sealed class InProcessUploadBudget(IOptions<ChatOptions> options, TimeProvider clock) : IUploadBudget
{
    private readonly ConcurrentDictionary<string, StrongBox> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InspectionWindow> _inspections = new(StringComparer.Ordinal);

    private AttachmentOptions Limits => options.Value.Attachments;

    /// <inheritdoc />
    public IDisposable? TryStartUpload(string userId)
    {
        while (true)
        {
            var slots = _inFlight.GetOrAdd(userId, static _ => new StrongBox());
            lock (slots)
            {
                if (slots.Removed)
                {
                    // Released and forgotten between the lookup and the lock: take the fresh box.
                    continue;
                }

                if (slots.Value >= Limits.MaxConcurrentUploadsPerUser)
                {
                    return null;
                }

                slots.Value++;
                return new Slot(this, userId, slots);
            }
        }
    }

    /// <inheritdoc />
    public TimeSpan InspectionRetryAfter(string userId)
    {
        if (!_inspections.TryGetValue(userId, out var window))
        {
            return TimeSpan.Zero;
        }

        var now = clock.GetUtcNow();
        lock (window)
        {
            var ends = window.Start + Limits.RejectedInspectionWindow;
            if (now >= ends)
            {
                _inspections.TryRemove(new KeyValuePair<string, InspectionWindow>(userId, window));
                return TimeSpan.Zero;
            }

            return window.Spent >= Limits.RejectedInspectionBudget ? ends - now : TimeSpan.Zero;
        }
    }

    /// <inheritdoc />
    public void ChargeRejectedInspection(string userId, TimeSpan cost)
    {
        var now = clock.GetUtcNow();
        while (true)
        {
            var window = _inspections.GetOrAdd(userId, _ => new InspectionWindow(now));
            lock (window)
            {
                if (now >= window.Start + Limits.RejectedInspectionWindow)
                {
                    _inspections.TryUpdate(userId, new InspectionWindow(now), window);
                    continue;
                }

                window.Spent += cost;
                return;
            }
        }
    }

    private void Release(string userId, StrongBox slots)
    {
        lock (slots)
        {
            slots.Value--;
            if (slots.Value == 0)
            {
                // Forget idle users; a racing TryStartUpload sees Removed and takes a fresh box.
                slots.Removed = true;
                _inFlight.TryRemove(new KeyValuePair<string, StrongBox>(userId, slots));
            }
        }
    }

    private sealed class StrongBox
    {
        public int Value { get; set; }

        public bool Removed { get; set; }
    }

    private sealed class InspectionWindow(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public TimeSpan Spent { get; set; }
    }

    private sealed class Slot(InProcessUploadBudget owner, string userId, StrongBox slots) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(userId, slots);
            }
        }
    }
}

using Marketplace.Chat.Attachments;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Tests.Attachments;

public sealed class InProcessUploadBudgetShould
{
    private readonly ManualClock _clock = new();
    private readonly ChatOptions _options = new();

    [Fact]
    public void Hand_out_as_many_in_flight_slots_per_user_as_allowed_and_take_them_back_on_dispose()
    {
        _options.Attachments.MaxConcurrentUploadsPerUser = 2;
        var budget = Create();

        var first = budget.TryStartUpload("u1");
        var second = budget.TryStartUpload("u1");

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(budget.TryStartUpload("u1"));
        Assert.NotNull(budget.TryStartUpload("u2"));
        first!.Dispose();
        first.Dispose(); // twice gives back one slot, not two
        using var third = budget.TryStartUpload("u1");
        Assert.NotNull(third);
        Assert.Null(budget.TryStartUpload("u1"));
    }

    [Fact]
    public async Task Never_hand_out_more_slots_than_allowed_to_racing_uploads()
    {
        _options.Attachments.MaxConcurrentUploadsPerUser = 3;
        var budget = Create();
        var held = 0;
        var most = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                using var slot = budget.TryStartUpload("u1");
                if (slot is null)
                {
                    continue;
                }

                var now = Interlocked.Increment(ref held);
                InterlockedMax(ref most, now);
                Interlocked.Decrement(ref held);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(most, 1, 3);
        Assert.NotNull(budget.TryStartUpload("u1"));
    }

    [Fact]
    public void Refuse_inspections_once_rejected_uploads_spent_the_budget_until_the_window_moves_on()
    {
        _options.Attachments.RejectedInspectionBudget = TimeSpan.FromSeconds(2);
        _options.Attachments.RejectedInspectionWindow = TimeSpan.FromMinutes(10);
        var budget = Create();

        budget.ChargeRejectedInspection("u1", TimeSpan.FromSeconds(1.5));
        Assert.Equal(TimeSpan.Zero, budget.InspectionRetryAfter("u1"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        budget.ChargeRejectedInspection("u1", TimeSpan.FromSeconds(0.5));

        Assert.Equal(TimeSpan.FromMinutes(9), budget.InspectionRetryAfter("u1"));
        Assert.Equal(TimeSpan.Zero, budget.InspectionRetryAfter("u2"));
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(TimeSpan.Zero, budget.InspectionRetryAfter("u1"));
        budget.ChargeRejectedInspection("u1", TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, budget.InspectionRetryAfter("u1"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private InProcessUploadBudget Create() => new(Options.Create(_options), _clock);

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

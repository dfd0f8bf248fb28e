using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Persistence;

/// <summary>Maps the notification outbox/inbox and its per-handler deliveries.</summary>
internal static class NotificationModelConfiguration
{
    public static void Apply(ModelBuilder model, ChatModelOptions options)
    {
        model.Entity<NotificationRecord>(b =>
        {
            b.ToTable(options.TablePrefix + "notifications", options.Schema);
            b.HasKey(n => n.Id);
            b.HasIndex(n => n.DeliveryId).IsUnique();
            b.Property(n => n.RecipientId).HasMaxLength(ChatModelConfiguration.UserIdLength).IsRequired();
            b.Property(n => n.Kind).HasConversion<string>().HasMaxLength(40);
            b.Property(n => n.ConversationKind).HasConversion<string>().HasMaxLength(20);
            b.Property(n => n.TransactionId).HasMaxLength(ChatModelConfiguration.ExternalIdLength).IsRequired();
            b.Property(n => n.DisputeId).HasMaxLength(ChatModelConfiguration.ExternalIdLength);
            b.Property(n => n.ActorId).HasMaxLength(ChatModelConfiguration.UserIdLength);
            b.Property(n => n.Preview).HasMaxLength(200).IsRequired();
            b.HasIndex(n => new { n.RecipientId, n.Id });
            b.HasIndex(n => new { n.DispatchedAt, n.NextAttemptAt });
            b.HasOne<ConversationRecord>().WithMany().HasForeignKey(n => n.ConversationId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<NotificationDeliveryRecord>(b =>
        {
            b.ToTable(options.TablePrefix + "notification_deliveries", options.Schema);
            b.HasKey(d => new { d.NotificationId, d.Handler });
            b.Property(d => d.Handler).HasMaxLength(200);
            b.Property(d => d.LastError).HasMaxLength(500);
            b.HasOne<NotificationRecord>().WithMany().HasForeignKey(d => d.NotificationId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

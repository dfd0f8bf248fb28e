using Marketplace.Chat.Conversations;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Persistence;

/// <summary>Maps the chat entities; enums are stored as their names so the tables read well as evidence.</summary>
internal static class ChatModelConfiguration
{
    public const int UserIdLength = 200;
    public const int ExternalIdLength = 200;
    public const int SystemCodeLength = 60;
    public const int KeyIdLength = 40;

    public static void Apply(ModelBuilder model, ChatModelOptions options)
    {
        string Table(string name) => options.TablePrefix + name;

        model.Entity<ConversationRecord>(b =>
        {
            b.ToTable(Table("conversations"), options.Schema);
            b.HasKey(c => c.Id);
            b.Property(c => c.Key).HasMaxLength(ExternalIdLength + 10).IsRequired();
            b.HasIndex(c => c.Key).IsUnique();
            b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            b.Property(c => c.State).HasConversion<string>().HasMaxLength(20);
            b.Property(c => c.Outcome).HasConversion<string>().HasMaxLength(30);
            b.Property(c => c.TransactionId).HasMaxLength(ExternalIdLength).IsRequired();
            b.Property(c => c.DisputeId).HasMaxLength(ExternalIdLength);
            b.Property(c => c.BuyerId).HasMaxLength(UserIdLength).IsRequired();
            b.Property(c => c.SellerId).HasMaxLength(UserIdLength).IsRequired();
            b.Property(c => c.LastHash).HasMaxLength(64).IsRequired();
            b.Property(c => c.Version).IsConcurrencyToken();
            b.HasIndex(c => c.TransactionId);
            b.HasIndex(c => c.TransactionConversationId);
        });

        model.Entity<ParticipantRecord>(b =>
        {
            b.ToTable(Table("participants"), options.Schema);
            b.HasKey(p => new { p.ConversationId, p.UserId });
            b.Property(p => p.UserId).HasMaxLength(UserIdLength);
            b.Property(p => p.Role).HasConversion<string>().HasMaxLength(20);
            b.HasIndex(p => p.UserId);
            b.HasOne<ConversationRecord>().WithMany().HasForeignKey(p => p.ConversationId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<EntryRecord>(b =>
        {
            b.ToTable(Table("entries"), options.Schema);
            b.HasKey(e => e.Id);
            b.Property(e => e.Id).ValueGeneratedNever();
            b.HasIndex(e => new { e.ConversationId, e.Sequence }).IsUnique();
            b.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
            b.Property(e => e.SystemCode).HasMaxLength(SystemCodeLength);
            b.Property(e => e.SenderId).HasMaxLength(UserIdLength);
            b.Property(e => e.SenderRole).HasConversion<string>().HasMaxLength(20);
            b.HasIndex(e => e.TargetId);
            b.Property(e => e.AttachmentSha256).HasMaxLength(64);
            b.HasIndex(e => e.AttachmentId).IsUnique();
            b.Property(e => e.EventId).HasMaxLength(ExternalIdLength);
            b.HasIndex(e => new { e.ConversationId, e.EventId }).IsUnique();
            b.Property(e => e.KeyId).HasMaxLength(KeyIdLength).IsRequired();
            b.Property(e => e.PreviousHash).HasMaxLength(64).IsRequired();
            b.Property(e => e.Hash).HasMaxLength(64).IsRequired();
            b.HasOne<ConversationRecord>().WithMany().HasForeignKey(e => e.ConversationId).OnDelete(DeleteBehavior.Restrict);
        });

        AttachmentModelConfiguration.Apply(model, options);

        model.Entity<TransitionRecord>(b =>
        {
            b.ToTable(Table("transitions"), options.Schema);
            b.HasKey(t => t.Id);
            b.Property(t => t.FromState).HasConversion<string>().HasMaxLength(20);
            b.Property(t => t.ToState).HasConversion<string>().HasMaxLength(20);
            b.Property(t => t.Trigger).HasMaxLength(40).IsRequired();
            b.Property(t => t.ActorId).HasMaxLength(UserIdLength);
            b.Property(t => t.EventId).HasMaxLength(ExternalIdLength);
            b.HasIndex(t => new { t.ConversationId, t.EventId }).IsUnique();
            b.HasOne<ConversationRecord>().WithMany().HasForeignKey(t => t.ConversationId).OnDelete(DeleteBehavior.Restrict);
        });

        NotificationModelConfiguration.Apply(model, options);
    }

    /// <summary>Builds the natural key of a transaction chat.</summary>
    public static string TransactionKey(string transactionId) => "tx:" + transactionId;

    /// <summary>Builds the natural key of a dispute chat.</summary>
    public static string DisputeKey(string disputeId) => "dispute:" + disputeId;

    /// <summary>Projects a record to the public description.</summary>
    public static ChatConversationInfo ToInfo(this ConversationRecord c) => new(
        c.Id, c.Kind, c.TransactionId, c.DisputeId, c.State, c.BuyerId, c.SellerId, c.LastSequence, c.Outcome, c.CreatedAt);
}

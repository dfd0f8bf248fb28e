using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Persistence;

/// <summary>Maps attachments, and ties a message's attachment to its row so the database enforces "referenced once".</summary>
internal static class AttachmentModelConfiguration
{
    public const int FileNameLength = 255;
    public const int StorageKeyLength = 200;

    public static void Apply(ModelBuilder model, ChatModelOptions options)
    {
        model.Entity<AttachmentRecord>(b =>
        {
            b.ToTable(options.TablePrefix + "attachments", options.Schema);
            b.HasKey(a => a.Id);
            b.Property(a => a.Id).ValueGeneratedNever();
            b.Property(a => a.UploaderId).HasMaxLength(ChatModelConfiguration.UserIdLength).IsRequired();
            b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
            b.Property(a => a.FileName).HasMaxLength(FileNameLength).IsRequired();
            b.Property(a => a.ContentType).HasMaxLength(100).IsRequired();
            b.Property(a => a.Sha256).HasMaxLength(64).IsRequired();
            b.Property(a => a.StorageKey).HasMaxLength(StorageKeyLength).IsRequired();
            b.Property(a => a.PreviewKey).HasMaxLength(StorageKeyLength);
            b.Property(a => a.PreviewContentType).HasMaxLength(100);

            // Rows stored before previews existed have none: 0 bytes, so adding the column needs no backfill.
            b.Property(a => a.PreviewLength).HasDefaultValue(0L);
            b.HasIndex(a => a.StorageKey).IsUnique();
            b.HasIndex(a => new { a.UploaderId, a.CreatedAt });
            b.HasIndex(a => a.CreatedAt);
            b.HasOne<ConversationRecord>().WithMany().HasForeignKey(a => a.ConversationId).OnDelete(DeleteBehavior.Restrict);
        });

        // entries.attachment_id is unique (one message per attachment) and also a foreign key: a message cannot
        // reference an attachment the sweep removed, and the sweep cannot remove an attachment a message references,
        // even when the two race.
        model.Entity<EntryRecord>()
            .HasOne<AttachmentRecord>()
            .WithOne()
            .HasForeignKey<EntryRecord>(m => m.AttachmentId)
            .OnDelete(DeleteBehavior.Restrict);
    }
}

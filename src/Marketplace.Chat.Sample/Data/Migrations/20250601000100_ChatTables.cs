using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Marketplace.Chat.Sample.Data.Migrations;

/// <summary>
/// Creates the chat's tables (conversations, participants, messages, revisions, transitions, attachments, notifications) in schema <c>chat</c>, as <c>modelBuilder.AddMarketplaceChat(o => o.Schema = "chat")</c>
/// defines them (Marketplace.Chat's Persistence/*ModelConfiguration.cs).
/// </summary>
/// <remarks>Written by hand, like <see cref="Marketplace"/>; MigrationsShould compares the result with the model.</remarks>
[DbContext(typeof(SampleDbContext))]
[Migration("20250601000100_ChatTables")]
public sealed class ChatTables : Migration
{
    private const string Schema = SampleDbContext.ChatSchema;

    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.EnsureSchema(Schema);

        migrationBuilder.CreateTable(
            name: "chat_conversations",
            schema: Schema,
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                Key = table.Column<string>(type: "character varying(210)", maxLength: 210, nullable: false),
                Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                TransactionId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                DisputeId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                TransactionConversationId = table.Column<Guid>(type: "uuid", nullable: true),
                State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                Outcome = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                BuyerId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                SellerId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                LastSequence = table.Column<long>(type: "bigint", nullable: false),
                Version = table.Column<int>(type: "integer", nullable: false),
                HasDispute = table.Column<bool>(type: "boolean", nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_chat_conversations", x => x.Id));

        migrationBuilder.CreateTable(
            name: "chat_attachments",
            schema: Schema,
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                UploaderId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                FileName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                ContentType = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                Length = table.Column<long>(type: "bigint", nullable: false),
                Width = table.Column<int>(type: "integer", nullable: true),
                Height = table.Column<int>(type: "integer", nullable: true),
                Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                MetadataRemoved = table.Column<bool>(type: "boolean", nullable: false),
                StorageKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_attachments", x => x.Id);
                table.ForeignKey(
                    "FK_chat_attachments_chat_conversations_ConversationId", x => x.ConversationId,
                    principalSchema: Schema, principalTable: "chat_conversations", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "chat_participants",
            schema: Schema,
            columns: table => new
            {
                ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                UserId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                LastReadSequence = table.Column<long>(type: "bigint", nullable: false),
                JoinedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_participants", x => new { x.ConversationId, x.UserId });
                table.ForeignKey(
                    "FK_chat_participants_chat_conversations_ConversationId", x => x.ConversationId,
                    principalSchema: Schema, principalTable: "chat_conversations", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "chat_messages",
            schema: Schema,
            columns: table => new
            {
                Id = table.Column<Guid>(type: "uuid", nullable: false),
                ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                Sequence = table.Column<long>(type: "bigint", nullable: false),
                Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                SenderId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                SenderRole = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                Text = table.Column<string>(type: "text", nullable: false),
                SystemCode = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                AttachmentId = table.Column<Guid>(type: "uuid", nullable: true),
                AttachmentSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                EditedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                DeletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_messages", x => x.Id);
                table.ForeignKey(
                    "FK_chat_messages_chat_conversations_ConversationId", x => x.ConversationId,
                    principalSchema: Schema, principalTable: "chat_conversations", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey(
                    "FK_chat_messages_chat_attachments_AttachmentId", x => x.AttachmentId,
                    principalSchema: Schema, principalTable: "chat_attachments", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "chat_message_revisions",
            schema: Schema,
            columns: table => new
            {
                Id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                Text = table.Column<string>(type: "text", nullable: false),
                ReplacedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_message_revisions", x => x.Id);
                table.ForeignKey(
                    "FK_chat_message_revisions_chat_messages_MessageId", x => x.MessageId,
                    principalSchema: Schema, principalTable: "chat_messages", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "chat_transitions",
            schema: Schema,
            columns: table => new
            {
                Id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                FromState = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                ToState = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                Trigger = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                ActorId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                EventId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_transitions", x => x.Id);
                table.ForeignKey(
                    "FK_chat_transitions_chat_conversations_ConversationId", x => x.ConversationId,
                    principalSchema: Schema, principalTable: "chat_conversations", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "chat_notifications",
            schema: Schema,
            columns: table => new
            {
                Id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                DeliveryId = table.Column<Guid>(type: "uuid", nullable: false),
                RecipientId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                ConversationKind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                TransactionId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                DisputeId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                MessageId = table.Column<Guid>(type: "uuid", nullable: true),
                Sequence = table.Column<long>(type: "bigint", nullable: true),
                ActorId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                Preview = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                ReadAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                DispatchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                ClaimToken = table.Column<Guid>(type: "uuid", nullable: true),
                ClaimedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_notifications", x => x.Id);
                table.ForeignKey(
                    "FK_chat_notifications_chat_conversations_ConversationId", x => x.ConversationId,
                    principalSchema: Schema, principalTable: "chat_conversations", principalColumn: "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "chat_notification_deliveries",
            schema: Schema,
            columns: table => new
            {
                NotificationId = table.Column<long>(type: "bigint", nullable: false),
                Handler = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Attempts = table.Column<int>(type: "integer", nullable: false),
                DeliveredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                FailedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                LastError = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_chat_notification_deliveries", x => new { x.NotificationId, x.Handler });
                // PostgreSQL names are at most 63 bytes: EF shortens this one with a tilde, and so must the migration.
                table.ForeignKey(
                    "FK_chat_notification_deliveries_chat_notifications_Notificatio~", x => x.NotificationId,
                    principalSchema: Schema, principalTable: "chat_notifications", principalColumn: "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_chat_conversations_Key", "chat_conversations", "Key", Schema, unique: true);
        migrationBuilder.CreateIndex("IX_chat_conversations_TransactionConversationId", "chat_conversations", "TransactionConversationId", Schema);
        migrationBuilder.CreateIndex("IX_chat_conversations_TransactionId", "chat_conversations", "TransactionId", Schema);
        migrationBuilder.CreateIndex("IX_chat_participants_UserId", "chat_participants", "UserId", Schema);
        migrationBuilder.CreateIndex("IX_chat_messages_AttachmentId", "chat_messages", "AttachmentId", Schema, unique: true);
        migrationBuilder.CreateIndex("IX_chat_messages_ConversationId_Sequence", "chat_messages", ["ConversationId", "Sequence"], Schema, unique: true);
        migrationBuilder.CreateIndex("IX_chat_message_revisions_MessageId", "chat_message_revisions", "MessageId", Schema);
        migrationBuilder.CreateIndex("IX_chat_transitions_ConversationId_EventId", "chat_transitions", ["ConversationId", "EventId"], Schema, unique: true);
        migrationBuilder.CreateIndex("IX_chat_attachments_ConversationId", "chat_attachments", "ConversationId", Schema);
        migrationBuilder.CreateIndex("IX_chat_attachments_CreatedAt", "chat_attachments", "CreatedAt", Schema);
        migrationBuilder.CreateIndex("IX_chat_attachments_StorageKey", "chat_attachments", "StorageKey", Schema, unique: true);
        migrationBuilder.CreateIndex("IX_chat_attachments_UploaderId_CreatedAt", "chat_attachments", ["UploaderId", "CreatedAt"], Schema);
        migrationBuilder.CreateIndex("IX_chat_notifications_ConversationId", "chat_notifications", "ConversationId", Schema);
        migrationBuilder.CreateIndex("IX_chat_notifications_DeliveryId", "chat_notifications", "DeliveryId", Schema, unique: true);
        migrationBuilder.CreateIndex("IX_chat_notifications_DispatchedAt_NextAttemptAt", "chat_notifications", ["DispatchedAt", "NextAttemptAt"], Schema);
        migrationBuilder.CreateIndex("IX_chat_notifications_RecipientId_Id", "chat_notifications", ["RecipientId", "Id"], Schema);
    }

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("chat_notification_deliveries", Schema);
        migrationBuilder.DropTable("chat_notifications", Schema);
        migrationBuilder.DropTable("chat_transitions", Schema);
        migrationBuilder.DropTable("chat_message_revisions", Schema);
        migrationBuilder.DropTable("chat_participants", Schema);
        migrationBuilder.DropTable("chat_messages", Schema);
        migrationBuilder.DropTable("chat_attachments", Schema);
        migrationBuilder.DropTable("chat_conversations", Schema);
    }
}

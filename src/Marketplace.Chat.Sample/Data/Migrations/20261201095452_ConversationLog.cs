using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Marketplace.Chat.Sample.Data.Migrations
{
    /// <inheritdoc />
    public partial class ConversationLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LastHash",
                schema: "chat",
                table: "chat_conversations",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "chat_entries",
                schema: "chat",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    SystemCode = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    SenderId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    SenderRole = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Text = table.Column<string>(type: "text", nullable: true),
                    TargetId = table.Column<Guid>(type: "uuid", nullable: true),
                    TargetSequence = table.Column<long>(type: "bigint", nullable: true),
                    AttachmentId = table.Column<Guid>(type: "uuid", nullable: true),
                    AttachmentSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Parameters = table.Column<string>(type: "text", nullable: true),
                    EventId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    KeyId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PreviousHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_chat_entries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_chat_entries_chat_attachments_AttachmentId",
                        column: x => x.AttachmentId,
                        principalSchema: "chat",
                        principalTable: "chat_attachments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_chat_entries_chat_conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalSchema: "chat",
                        principalTable: "chat_conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_chat_entries_AttachmentId",
                schema: "chat",
                table: "chat_entries",
                column: "AttachmentId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_chat_entries_ConversationId_EventId",
                schema: "chat",
                table: "chat_entries",
                columns: new[] { "ConversationId", "EventId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_chat_entries_ConversationId_Sequence",
                schema: "chat",
                table: "chat_entries",
                columns: new[] { "ConversationId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_chat_entries_TargetId",
                schema: "chat",
                table: "chat_entries",
                column: "TargetId");

            // Carry the existing rows into the log before the old tables go: every message as it was first written
            // (its oldest revision, or its text when never edited), then its edits (each revision's successor text,
            // at the time it replaced it) and deletions as entries of their own after the conversation's last one, in
            // time order. The carried entries are marked 'carried-over'; the library re-anchors each such log once
            // with the host's key at start-up (ConversationLogAnchoring) and records that in a LogReanchored entry.
            migrationBuilder.Sql("""
                INSERT INTO chat.chat_entries ("Id", "ConversationId", "Sequence", "Kind", "SystemCode", "SenderId", "SenderRole", "Text",
                    "AttachmentId", "AttachmentSha256", "CreatedAt", "KeyId", "PreviousHash", "Hash")
                SELECT m."Id", m."ConversationId", m."Sequence", m."Kind", m."SystemCode", m."SenderId", m."SenderRole",
                    COALESCE((SELECT r."Text" FROM chat.chat_message_revisions r WHERE r."MessageId" = m."Id" ORDER BY r."Id" LIMIT 1), m."Text"),
                    m."AttachmentId", m."AttachmentSha256", m."SentAt", 'carried-over', '', m."Hash"
                FROM chat.chat_messages m;
                """);
            migrationBuilder.Sql("""
                WITH changes AS (
                    SELECT m."ConversationId", m."Id" AS "TargetId", m."Sequence" AS "TargetSequence", m."SenderId", m."SenderRole",
                        'Edit' AS "Kind", COALESCE(LEAD(r."Text") OVER (PARTITION BY r."MessageId" ORDER BY r."Id"), m."Text") AS "Text",
                        r."ReplacedAt" AS "At", 0 AS "Rank", r."Id" AS "Tiebreak"
                    FROM chat.chat_message_revisions r JOIN chat.chat_messages m ON m."Id" = r."MessageId"
                    UNION ALL
                    SELECT m."ConversationId", m."Id", m."Sequence", m."SenderId", m."SenderRole", 'Deletion', NULL, m."DeletedAt", 1, 0
                    FROM chat.chat_messages m WHERE m."DeletedAt" IS NOT NULL
                ),
                heads AS (
                    SELECT "ConversationId", MAX("Sequence") AS "Last" FROM chat.chat_messages GROUP BY "ConversationId"
                )
                INSERT INTO chat.chat_entries ("Id", "ConversationId", "Sequence", "Kind", "SenderId", "SenderRole", "Text",
                    "TargetId", "TargetSequence", "CreatedAt", "KeyId", "PreviousHash", "Hash")
                SELECT gen_random_uuid(), c."ConversationId",
                    h."Last" + ROW_NUMBER() OVER (PARTITION BY c."ConversationId" ORDER BY c."At", c."Rank", c."Tiebreak", c."TargetSequence"),
                    c."Kind", c."SenderId", c."SenderRole", c."Text", c."TargetId", c."TargetSequence", c."At", 'carried-over', '', ''
                FROM changes c JOIN heads h ON h."ConversationId" = c."ConversationId";
                """);
            migrationBuilder.Sql("""
                UPDATE chat.chat_conversations c
                SET "LastSequence" = COALESCE((SELECT MAX(e."Sequence") FROM chat.chat_entries e WHERE e."ConversationId" = c."Id"), 0),
                    "LastHash" = '';
                ALTER TABLE chat.chat_conversations ALTER COLUMN "LastHash" DROP DEFAULT;
                """);

            // The database itself keeps the log append-only for the application: no entry is updated or deleted, except
            // the one-time re-anchoring of a carried-over entry, which may write its link columns (KeyId, PreviousHash,
            // Hash) and nothing else. (Someone who can drop the trigger can also write the table; the keyed chain is
            // what catches them.)
            migrationBuilder.Sql("""
                CREATE FUNCTION chat.chat_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND OLD."KeyId" = 'carried-over'
                        AND (NEW."Id", NEW."ConversationId", NEW."Sequence", NEW."Kind", NEW."CreatedAt") = (OLD."Id", OLD."ConversationId", OLD."Sequence", OLD."Kind", OLD."CreatedAt")
                        AND NEW."SystemCode" IS NOT DISTINCT FROM OLD."SystemCode" AND NEW."SenderId" IS NOT DISTINCT FROM OLD."SenderId"
                        AND NEW."SenderRole" IS NOT DISTINCT FROM OLD."SenderRole" AND NEW."Text" IS NOT DISTINCT FROM OLD."Text"
                        AND NEW."TargetId" IS NOT DISTINCT FROM OLD."TargetId" AND NEW."TargetSequence" IS NOT DISTINCT FROM OLD."TargetSequence"
                        AND NEW."AttachmentId" IS NOT DISTINCT FROM OLD."AttachmentId" AND NEW."AttachmentSha256" IS NOT DISTINCT FROM OLD."AttachmentSha256"
                        AND NEW."Parameters" IS NOT DISTINCT FROM OLD."Parameters" AND NEW."EventId" IS NOT DISTINCT FROM OLD."EventId" THEN
                        RETURN NEW;
                    END IF;
                    RAISE EXCEPTION 'chat.chat_entries is append-only: % of entry % refused', TG_OP, OLD."Id" USING ERRCODE = 'restrict_violation';
                END
                $$;
                CREATE TRIGGER chat_entries_append_only BEFORE UPDATE OR DELETE ON chat.chat_entries
                    FOR EACH ROW EXECUTE FUNCTION chat.chat_entries_append_only();
                """);

            migrationBuilder.DropTable(
                name: "chat_message_revisions",
                schema: "chat");

            migrationBuilder.DropTable(
                name: "chat_messages",
                schema: "chat");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Going back restores the old tables' shape only: the log's entries are not carried back (edits, deletions
            // and notices have no faithful place in them). Back up the database before migrating down.
            migrationBuilder.Sql("DROP TRIGGER chat_entries_append_only ON chat.chat_entries; DROP FUNCTION chat.chat_entries_append_only();");
            migrationBuilder.DropTable(
                name: "chat_entries",
                schema: "chat");

            migrationBuilder.DropColumn(
                name: "LastHash",
                schema: "chat",
                table: "chat_conversations");

            migrationBuilder.CreateTable(
                name: "chat_messages",
                schema: "chat",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AttachmentId = table.Column<Guid>(type: "uuid", nullable: true),
                    AttachmentSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EditedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    SenderId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    SenderRole = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    SystemCode = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    Text = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_chat_messages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_chat_messages_chat_attachments_AttachmentId",
                        column: x => x.AttachmentId,
                        principalSchema: "chat",
                        principalTable: "chat_attachments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_chat_messages_chat_conversations_ConversationId",
                        column: x => x.ConversationId,
                        principalSchema: "chat",
                        principalTable: "chat_conversations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "chat_message_revisions",
                schema: "chat",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReplacedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_chat_message_revisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_chat_message_revisions_chat_messages_MessageId",
                        column: x => x.MessageId,
                        principalSchema: "chat",
                        principalTable: "chat_messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_chat_message_revisions_MessageId",
                schema: "chat",
                table: "chat_message_revisions",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_chat_messages_AttachmentId",
                schema: "chat",
                table: "chat_messages",
                column: "AttachmentId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_chat_messages_ConversationId_Sequence",
                schema: "chat",
                table: "chat_messages",
                columns: new[] { "ConversationId", "Sequence" },
                unique: true);
        }
    }
}

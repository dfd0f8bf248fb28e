using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Chat.Sample.Data.Migrations
{
    /// <inheritdoc />
    public partial class AttachmentPreviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PreviewContentType",
                schema: "chat",
                table: "chat_attachments",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PreviewHeight",
                schema: "chat",
                table: "chat_attachments",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviewKey",
                schema: "chat",
                table: "chat_attachments",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PreviewLength",
                schema: "chat",
                table: "chat_attachments",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "PreviewWidth",
                schema: "chat",
                table: "chat_attachments",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PreviewContentType",
                schema: "chat",
                table: "chat_attachments");

            migrationBuilder.DropColumn(
                name: "PreviewHeight",
                schema: "chat",
                table: "chat_attachments");

            migrationBuilder.DropColumn(
                name: "PreviewKey",
                schema: "chat",
                table: "chat_attachments");

            migrationBuilder.DropColumn(
                name: "PreviewLength",
                schema: "chat",
                table: "chat_attachments");

            migrationBuilder.DropColumn(
                name: "PreviewWidth",
                schema: "chat",
                table: "chat_attachments");
        }
    }
}

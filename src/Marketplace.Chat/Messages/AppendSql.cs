using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Marketplace.Chat.Messages;

/// <summary>
/// The statements of the group commit (<see cref="AppendQueue"/>), built once per model from EF Core's metadata, so
/// table prefix, schema, column names and value conversions (enums as names) are exactly the model's. Rows are
/// written as plain ADO.NET batch commands: no change tracking, no materialisation on the write.
/// </summary>
internal sealed class AppendSql
{
    private static readonly ConditionalWeakTable<IModel, AppendSql> ByModel = new();

    private readonly Table _entries;
    private readonly Table _notifications;
    private readonly string _headsSql;
    private readonly string _lockSql;
    private readonly Column[] _conversationColumns;
    private readonly string _readsSql;

    private AppendSql(IModel model, ISqlGenerationHelper sql)
    {
        var conversation = model.FindEntityType(typeof(ConversationRecord))!;
        var conversations = StoreObjectIdentifier.Table(conversation.GetTableName()!, conversation.GetSchema());
        string Column(IEntityType type, StoreObjectIdentifier table, string property) =>
            sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName(table)!);
        var conversationTable = sql.DelimitIdentifier(conversations.Name, conversations.Schema);
        var id = Column(conversation, conversations, nameof(ConversationRecord.Id));
        var lastSequence = Column(conversation, conversations, nameof(ConversationRecord.LastSequence));
        var lastHash = Column(conversation, conversations, nameof(ConversationRecord.LastHash));
        _conversationColumns = conversation.GetProperties().Where(p => p.PropertyInfo is not null).Select(p => new Column(p)).ToArray();
        _lockSql = $"SELECT {string.Join(", ", _conversationColumns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(conversations)!)))} "
            + $"FROM {conversationTable} WHERE {id} = ANY($1) ORDER BY {id} FOR UPDATE";
        _headsSql = $"UPDATE {conversationTable} AS c SET {lastSequence} = v.s, {lastHash} = v.h "
            + $"FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS v(i, s, h) WHERE c.{id} = v.i";

        var participant = model.FindEntityType(typeof(ParticipantRecord))!;
        var participants = StoreObjectIdentifier.Table(participant.GetTableName()!, participant.GetSchema());
        _readsSql = $"UPDATE {sql.DelimitIdentifier(participants.Name, participants.Schema)} AS p "
            + $"SET {Column(participant, participants, nameof(ParticipantRecord.LastReadSequence))} = v.s "
            + $"FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS v(c, u, s) "
            + $"WHERE p.{Column(participant, participants, nameof(ParticipantRecord.ConversationId))} = v.c "
            + $"AND p.{Column(participant, participants, nameof(ParticipantRecord.UserId))} = v.u";

        _entries = new Table(model.FindEntityType(typeof(EntryRecord))!, sql, " ON CONFLICT DO NOTHING");
        _notifications = new Table(model.FindEntityType(typeof(NotificationRecord))!, sql, "");
    }

    /// <summary>
    /// Locks the given conversations in id order (no two batches deadlock) and reads them, as one prepared statement
    /// whose text never changes (the ids are one uuid[] parameter); rows are read through the model's converters.
    /// </summary>
    public async Task<Dictionary<Guid, ConversationRecord>> LockAsync(DbConnection connection, DbTransaction transaction, Guid[] ids, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _lockSql;
        var parameter = command.CreateParameter();
        parameter.Value = ids;
        command.Parameters.Add(parameter);
        await command.PrepareAsync(ct).ConfigureAwait(false);
        var locked = new Dictionary<Guid, ConversationRecord>(ids.Length);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var record = new ConversationRecord();
            for (var i = 0; i < _conversationColumns.Length; i++)
            {
                _conversationColumns[i].Write(record, reader, i);
            }

            locked[record.Id] = record;
        }

        return locked;
    }

    public static AppendSql For(DbContext db) =>
        ByModel.GetValue(db.Model, m => new AppendSql(m, db.GetService<ISqlGenerationHelper>()));

    /// <summary>Adds the insert of the entries; its <see cref="DbBatchCommand.RecordsAffected"/> tells how many were new.</summary>
    public DbBatchCommand AddEntries(DbBatch batch, List<EntryRecord> entries) => _entries.AddInsert(batch, entries);

    public void AddNotifications(DbBatch batch, List<NotificationRecord> notifications)
    {
        if (notifications.Count > 0)
        {
            _notifications.AddInsert(batch, notifications);
        }
    }

    public void AddHeads(DbBatch batch, List<ConversationRecord> heads)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = _headsSql;
        Add(command, heads.Select(c => c.Id).ToArray());
        Add(command, heads.Select(c => c.LastSequence).ToArray());
        Add(command, heads.Select(c => c.LastHash).ToArray());
        batch.BatchCommands.Add(command);
    }

    public void AddReadPositions(DbBatch batch, Dictionary<(Guid Conversation, string User), long> reads)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = _readsSql;
        Add(command, reads.Keys.Select(k => k.Conversation).ToArray());
        Add(command, reads.Keys.Select(k => k.User).ToArray());
        Add(command, reads.Values.ToArray());
        batch.BatchCommands.Add(command);
    }

    private static void Add(DbBatchCommand command, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// A table's insertable columns with the model's value conversions, written as one <c>INSERT … SELECT * FROM
    /// unnest($1::type[], …)</c>: one array parameter per column whatever the number of rows, so the statement's text
    /// never changes (the server parses one shape) and a batch of 256 rows costs 20 parameters, not 5,000.
    /// </summary>
    private sealed class Table
    {
        private readonly string _text;
        private readonly Column[] _columns;

        public Table(IEntityType type, ISqlGenerationHelper sql, string suffix)
        {
            var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
            _columns = type.GetProperties()
                .Where(p => p.ValueGenerated == ValueGenerated.Never || !p.IsPrimaryKey())
                .Select(p => new Column(p))
                .ToArray();
            _text = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ("
                + string.Join(", ", _columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)))
                + ") SELECT * FROM unnest("
                + string.Join(", ", _columns.Select((c, i) => $"${(i + 1).ToString(CultureInfo.InvariantCulture)}::{c.Property.GetColumnType(table)}[]"))
                + ")" + suffix;
        }

        public DbBatchCommand AddInsert<T>(DbBatch batch, List<T> rows)
            where T : class
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = _text;
            foreach (var column in _columns)
            {
                var values = Array.CreateInstance(column.ElementType, rows.Count);
                for (var r = 0; r < rows.Count; r++)
                {
                    values.SetValue(column.Read(rows[r]), r);
                }

                Add(command, values);
            }

            batch.BatchCommands.Add(command);
            return command;
        }
    }

    /// <summary>
    /// One column: how to read it from a row and back from a reader (through the model's converter), and the type of its
    /// array's elements.
    /// </summary>
    private sealed class Column
    {
        private readonly Func<object, object?> _getter;
        private readonly Action<object, object?> _setter;
        private readonly MethodInfo _typedRead;
        private readonly ValueConverter? _converter;

        public Column(IProperty property)
        {
            Property = property;
            _converter = property.GetTypeMapping().Converter;
            var info = property.PropertyInfo!;
            _getter = info.GetValue;
            _setter = info.SetValue;
            var provider = _converter?.ProviderClrType ?? property.ClrType;

            // Typed reads: a timestamptz as the DateTimeOffset the model holds, not the reader's default DateTime.
            _typedRead = typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!
                .MakeGenericMethod(Nullable.GetUnderlyingType(provider) ?? provider);
            ElementType = provider.IsValueType && Nullable.GetUnderlyingType(provider) is null && property.IsNullable
                ? typeof(Nullable<>).MakeGenericType(provider)
                : provider;
        }

        public IProperty Property { get; }

        public Type ElementType { get; }

        public object? Read(object row)
        {
            var raw = _getter(row);
            return raw is not null && _converter is not null ? _converter.ConvertToProvider(raw) : raw;
        }

        /// <summary>Sets the property from column <paramref name="ordinal"/> of the reader's current row.</summary>
        public void Write(object row, DbDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal))
            {
                _setter(row, null);
                return;
            }

            var value = _typedRead.Invoke(reader, [ordinal])!;
            _setter(row, _converter is not null ? _converter.ConvertFromProvider(value) : value);
        }
    }
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Marketplace.Chat.IntegrationTests.Hardening;

/// <summary>Makes the next database command whose text contains <see cref="Marker"/> throw a plain bug-like exception, once armed.</summary>
public sealed class FailingCommands : DbCommandInterceptor
{
    private int _armed;

    public string Marker { get; set; } = "INSERT";

    public void Arm() => Interlocked.Exchange(ref _armed, 1);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        ThrowIfArmed(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        ThrowIfArmed(command);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    private void ThrowIfArmed(DbCommand command)
    {
        if (command.CommandText.Contains(Marker, StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            throw new InvalidOperationException("A bug the test planted: the SQL text says BUG-SECRET-41.");
        }
    }
}

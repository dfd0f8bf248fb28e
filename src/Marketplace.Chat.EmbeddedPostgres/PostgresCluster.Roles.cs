using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Marketplace.Chat.EmbeddedPostgres;

public sealed partial class PostgresCluster
{
    /// <summary>
    /// Gives an application its own database: a login role that is not a superuser and cannot create databases or roles
    /// (password random, kept in the data folder), the database <paramref name="database"/> owned by it (so its migrations
    /// can create schemas and tables) and closed to other roles. Returns a connection string to it as that role. Idempotent;
    /// a database the superuser made earlier is handed over to the role with everything in it.
    /// </summary>
    /// <param name="database">The database name.</param>
    /// <param name="role">The role name: lower-case letters, digits and underscores, not <c>postgres</c>.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<string> CreateApplicationDatabaseAsync(string database, string role, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        if (!RoleName().IsMatch(role) || role == Superuser || role.StartsWith("pg_", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{role}' is not a valid application role name: use [a-z_][a-z0-9_]*, not {Superuser} or pg_*.", nameof(role));
        }

        var password = _credentials.PasswordOf(role, DataDirectory);
        await EnsureRoleAsync(role, password, ct).ConfigureAwait(false);
        await CreateDatabaseAsync(database, role, ct).ConfigureAwait(false);
        await HandOverDatabaseAsync(database, role, ct).ConfigureAwait(false);
        await ExecuteAsSuperuserAsync("postgres", $"revoke connect, temporary on database {Quote(database)} from public", ct).ConfigureAwait(false);
        return ConnectionStringFor(database, role, password);
    }

    private async Task EnsureRoleAsync(string role, string password, CancellationToken ct)
    {
        var sql = $"""
            do $$ begin
              if not exists (select from pg_roles where rolname = '{role}') then create role "{role}"; end if;
            end $$;
            alter role "{role}" with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '{password}';
            """;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsSuperuserAsync("postgres", sql, ct).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
            {
                // Created concurrently by another caller: set its attributes again.
            }
        }
    }

    private async Task HandOverDatabaseAsync(string database, string role, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            var owner = new NpgsqlCommand("select pg_get_userbyid(datdba) from pg_database where datname = @name", connection);
            await using (owner.ConfigureAwait(false))
            {
                owner.Parameters.AddWithValue("name", database);
                if (await owner.ExecuteScalarAsync(ct).ConfigureAwait(false) as string == role)
                {
                    return;
                }
            }
        }

        // Made by the superuser earlier (a sample database from before application roles): the role takes over the database
        // and what the superuser created in it, so later migrations can alter those tables.
        await ExecuteAsSuperuserAsync("postgres", $"alter database {Quote(database)} owner to \"{role}\"", ct).ConfigureAwait(false);
        const string notSystem = "not like 'pg\\_%' and {0} <> 'information_schema'";
        var sql = $$"""
            do $$
            declare r record;
            begin
              for r in select n.nspname from pg_namespace n
                       where n.nspowner = '{{Superuser}}'::regrole and n.nspname {{string.Format(null, notSystem, "n.nspname")}}
              loop execute format('alter schema %I owner to "{{role}}"', r.nspname); end loop;
              for r in select c.oid::regclass as name, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where c.relowner = '{{Superuser}}'::regrole and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
                         and n.nspname {{string.Format(null, notSystem, "n.nspname")}}
                         and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i', 'e'))
              loop
                execute format(case r.relkind when 'S' then 'alter sequence %s owner to "{{role}}"' when 'v' then 'alter view %s owner to "{{role}}"'
                  when 'm' then 'alter materialized view %s owner to "{{role}}"' when 'f' then 'alter foreign table %s owner to "{{role}}"'
                  else 'alter table %s owner to "{{role}}"' end, r.name);
              end loop;
              for r in select t.oid::regtype as name from pg_type t join pg_namespace n on n.oid = t.typnamespace
                       where t.typowner = '{{Superuser}}'::regrole and t.typtype in ('e', 'd') and n.nspname {{string.Format(null, notSystem, "n.nspname")}}
              loop execute format('alter type %s owner to "{{role}}"', r.name); end loop;
              for r in select p.oid::regprocedure as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                       where p.proowner = '{{Superuser}}'::regrole and n.nspname {{string.Format(null, notSystem, "n.nspname")}}
                         and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
              loop execute format('alter routine %s owner to "{{role}}"', r.name); end loop;
            end $$;
            """;
        await ExecuteAsSuperuserAsync(database, sql, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A cluster made by an earlier version trusted every loopback connection: set the superuser's password, save it, switch
    /// pg_hba.conf to SCRAM and reload, then check that a wrong password is refused.
    /// </summary>
    private async Task ReplaceTrustWithPasswordsAsync(CancellationToken ct)
    {
        await ExecuteAsSuperuserAsync(
            "postgres", $"alter role \"{Superuser}\" with password '{_credentials.SuperuserPassword}'; ", ct).ConfigureAwait(false);
        _credentials.Save(DataDirectory);
        ClientAuthentication.Write(DataDirectory);
        await ExecuteAsSuperuserAsync("postgres", "select pg_reload_conf()", ct).ConfigureAwait(false);

        var wrong = new NpgsqlConnectionStringBuilder(ConnectionString()) { Password = "not-the-password", Pooling = false }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var probe = new NpgsqlConnection(wrong);
                await using (probe.ConfigureAwait(false))
                {
                    await probe.OpenAsync(ct).ConfigureAwait(false);
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException(
                    $"The cluster in '{DataDirectory}' still accepts a wrong password after pg_hba.conf was switched to scram-sha-256.");
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    private async Task ExecuteAsSuperuserAsync(string database, string sql, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(database)) { Pooling = false }.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();
}

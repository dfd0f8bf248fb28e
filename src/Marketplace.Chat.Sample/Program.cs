using Marketplace.Chat.EmbeddedPostgres;
using Marketplace.Chat.Sample;

SampleApp sample;
try
{
    sample = await SampleApp.CreateAsync(new WebApplicationOptions { Args = args });
}
catch (PostgresNotFoundException missing)
{
    // No stack trace for the one problem a fresh machine is likely to have: say what to install instead.
    await Console.Error.WriteLineAsync(missing.Message);
    await Console.Error.WriteLineAsync("Or point the sample at a database: set ConnectionStrings__Chat.");
    return 1;
}

await using (sample)
{
    await sample.App.RunAsync();
}

return 0;

/// <summary>Exposes the entry point to integration tests.</summary>
public partial class Program;

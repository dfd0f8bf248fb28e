using System.Security.Claims;
using System.Text.Encodings.Web;
using Marketplace.Chat.Conversations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.LoadGenerator.Server;

/// <summary>The host's DbContext, as the README has a host write it.</summary>
internal sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddMarketplaceChat(o => o.Schema = "chat");
}

/// <summary>The host's marketplace: transaction <c>tx{i}</c> has buyer <c>b{i}</c> and seller <c>s{i}</c>.</summary>
internal sealed class BenchParties : ITransactionPartyResolver
{
    public ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(BenchNames.Parties(transactionId));
}

/// <summary>A bearer-style scheme for the benchmark: the token (query <c>access_token</c>) is the user id.</summary>
internal sealed class BenchBearer(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "BenchBearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Query["access_token"].ToString();
        if (token.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, token), new Claim(ClaimTypes.Name, token)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

using Marketplace.Chat.Conversations;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Tests.DependencyInjection;

public sealed class ChatBuilderShould
{
    [Fact]
    public async Task Register_a_party_resolver_instance_shared_by_every_scope()
    {
        var resolver = new FixedParties();
        using var provider = Build(b => b.AddTransactionPartyResolver<OtherParties>().AddTransactionPartyResolver(resolver));

        using var first = provider.CreateScope();
        using var second = provider.CreateScope();
        Assert.Same(resolver, first.ServiceProvider.GetRequiredService<ITransactionPartyResolver>());
        Assert.Same(resolver, second.ServiceProvider.GetRequiredService<ITransactionPartyResolver>());
        Assert.Single(provider.GetServices<ITransactionPartyResolver>());
        Assert.Equal(new TransactionParties("b", "s"), await resolver.FindPartiesAsync("tx", CancellationToken.None));
    }

    [Fact]
    public void Build_a_party_resolver_from_the_factory_once_per_scope()
    {
        var built = 0;
        using var provider = Build(b => b.AddTransactionPartyResolver(_ => { Interlocked.Increment(ref built); return new FixedParties(); }));

        using var first = provider.CreateScope();
        using var second = provider.CreateScope();
        var a = first.ServiceProvider.GetRequiredService<ITransactionPartyResolver>();
        Assert.Same(a, first.ServiceProvider.GetRequiredService<ITransactionPartyResolver>());
        Assert.NotSame(a, second.ServiceProvider.GetRequiredService<ITransactionPartyResolver>());
        Assert.Equal(2, built);
    }

    [Fact]
    public void Register_the_problem_details_exception_handler_once()
    {
        using var provider = Build(b => b.AddProblemDetails().AddProblemDetails());

        var handler = Assert.Single(provider.GetServices<IExceptionHandler>());
        Assert.Equal("ChatExceptionHandler", handler.GetType().Name);
        Assert.NotNull(provider.GetService<Microsoft.AspNetCore.Http.IProblemDetailsService>());
    }

    private static ServiceProvider Build(Action<ChatBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services.AddMarketplaceChat());
        return services.BuildServiceProvider();
    }

    private sealed class FixedParties : ITransactionPartyResolver
    {
        public ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<TransactionParties?>(new TransactionParties("b", "s"));
    }

    private sealed class OtherParties : ITransactionPartyResolver
    {
        public ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<TransactionParties?>(null);
    }
}

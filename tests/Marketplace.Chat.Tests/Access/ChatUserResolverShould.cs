using System.Security.Claims;
using Marketplace.Chat.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Tests.Access;

public sealed class ChatUserResolverShould
{
    [Fact]
    public async Task Read_the_id_from_the_name_identifier_and_admin_from_the_role_by_default()
    {
        var users = Resolver(o => { });

        var admin = await users.ResolveAsync(Principal(new Claim(ClaimTypes.NameIdentifier, "nadia"), new Claim(ClaimTypes.Role, "Admin")));
        var buyer = await users.ResolveAsync(Principal(new Claim(ClaimTypes.NameIdentifier, "camille"), new Claim(ClaimTypes.Role, "Member")));

        Assert.Equal(("nadia", true), (admin.UserId, admin.IsAdmin));
        Assert.Equal(("camille", false), (buyer.UserId, buyer.IsAdmin));
    }

    [Fact]
    public async Task Honour_the_configured_user_id_claim_and_admin_role()
    {
        var users = Resolver(o => { o.UserIdClaimType = "sub"; o.AdminRole = "Support"; });

        var user = await users.ResolveAsync(Principal(
            new Claim(ClaimTypes.NameIdentifier, "not-this-one"), new Claim("sub", "u-42"), new Claim(ClaimTypes.Role, "Support")));
        var notAdmin = await users.ResolveAsync(Principal(new Claim("sub", "u-43"), new Claim(ClaimTypes.Role, "Admin")));

        Assert.Equal(("u-42", true), (user.UserId, user.IsAdmin));
        Assert.False(notAdmin.IsAdmin);
    }

    [Fact]
    public async Task Decide_admins_by_the_admin_policy_when_one_is_set()
    {
        var users = Resolver(
            o => o.AdminPolicy = "Staff",
            services => services.AddAuthorizationBuilder().AddPolicy("Staff", p => p.RequireClaim("department", "support")));

        var staff = await users.ResolveAsync(Principal(new Claim(ClaimTypes.NameIdentifier, "s1"), new Claim("department", "support")));
        var roleOnly = await users.ResolveAsync(Principal(new Claim(ClaimTypes.NameIdentifier, "s2"), new Claim(ClaimTypes.Role, "Admin")));

        Assert.True(staff.IsAdmin);
        Assert.False(roleOnly.IsAdmin);
        Assert.True(await users.IsAdminAsync(Principal(new Claim("department", "support"))));
    }

    [Fact]
    public async Task Refuse_anonymous_principals_and_principals_without_an_id()
    {
        var users = Resolver(o => { });

        foreach (var principal in new[] { null, new ClaimsPrincipal(new ClaimsIdentity()), Principal(new Claim(ClaimTypes.Role, "Admin")) })
        {
            var refusal = await Assert.ThrowsAsync<ChatException>(async () => await users.ResolveAsync(principal));
            Assert.Equal(ChatErrorCode.AuthenticationRequired, refusal.Code);
        }

        Assert.False(await users.IsAdminAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "Admin")]))));
    }

    private static ClaimsPrincipal Principal(params Claim[] claims) => new(new ClaimsIdentity(claims, "test"));

    private static IChatUserResolver Resolver(Action<ChatOptions> configure, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMarketplaceChat(configure);
        more?.Invoke(services);
        var provider = services.BuildServiceProvider();
        return provider.CreateScope().ServiceProvider.GetRequiredService<IChatUserResolver>();
    }
}

using Marketplace.Chat.Sample.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Accounts;

/// <summary>
/// Checks an e-mail and password. An unknown e-mail is verified against a dummy hash of the same kind, so it costs the
/// same hashing work as a wrong password and the answer's timing does not tell which e-mail addresses have accounts.
/// </summary>
public sealed class SignInService(SampleDbContext db, IPasswordHasher<User> hasher)
{
    private static readonly User Nobody = new() { Id = "", Email = "" };

    /// <summary>Gets the hash unknown e-mail addresses are verified against (of a random password nobody knows).</summary>
    internal static string DummyHash { get; } =
        new PasswordHasher<User>().HashPassword(Nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));

    /// <summary>Returns the account when the password is right, else null; the work done is the same whether the e-mail exists or not.</summary>
    public async Task<User?> VerifyAsync(string email, string password, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == email, cancellationToken);
        var verdict = hasher.VerifyHashedPassword(user ?? Nobody, user?.PasswordHash ?? DummyHash, password);
        return user is not null && verdict != PasswordVerificationResult.Failed ? user : null;
    }
}

using System.Globalization;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.ServiceDefaults.Paging;
using GoMicro.ServiceDefaults.Validation;
using GoMicro.Users.Infrastructure;
using GoMicro.Users.Tokens;
using GoMicro.Users.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Npgsql;
using User = GoMicro.Users.Model.User;
using UserMessage = GoMicro.Users.V1.User;

namespace GoMicro.Users.Accounts;

public sealed class UsersGrpcService(
    UsersDbContext db,
    IPasswordHasher<User> hasher,
    ILookupNormalizer normalizer,
    LoginThrottleStore throttle,
    TokenIssuer tokens,
    TimeProvider clock) : UsersService.UsersServiceBase
{
    [AllowAnonymous]
    [EnableRateLimiting(CredentialRateLimit.Policy)]
    public override async Task<UserMessage> Register(RegisterRequest request, ServerCallContext context)
    {
        var email = AccountRules.Email(request.Email);
        AccountRules.Password(request.Password);
        var displayName = AccountRules.DisplayName(request.DisplayName);

        var now = clock.GetUtcNowForPostgres();
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            NormalizedEmail = normalizer.NormalizeEmail(email),
            DisplayName = displayName,
            PasswordHash = "",
            Roles = [Roles.Customer],
            CreatedAt = now,
            UpdatedAt = now,
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw RpcErrors.AlreadyExists("email: an account with this email already exists");
        }
        UsersMetrics.Registrations.Inc();
        return user.ToMessage();
    }

    [AllowAnonymous]
    [EnableRateLimiting(CredentialRateLimit.Policy)]
    public override async Task<LoginResponse> Login(LoginRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Email))
        {
            throw RpcErrors.InvalidArgument("email", "is required");
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            throw RpcErrors.InvalidArgument("password", "is required");
        }
        // Nothing longer than registration accepts can be an account: refused before it is
        // counted (the throttle's key column is the email's size) or hashed.
        if (request.Email.Trim().Length > AccountRules.MaxEmailLength)
        {
            throw RpcErrors.InvalidArgument("email", $"must be at most {AccountRules.MaxEmailLength} characters");
        }
        if (request.Password.Length > AccountRules.MaxPasswordLength)
        {
            throw RpcErrors.InvalidArgument("password", $"must be at most {AccountRules.MaxPasswordLength} characters");
        }
        TextRules.Clean(request.Email, "email");
        var normalized = normalizer.NormalizeEmail(request.Email.Trim());
        var client = ClientAddress.Of(context.GetHttpContext());
        var token = context.CancellationToken;

        var attempt = await throttle.BeginAttemptAsync(normalized, client, token);
        if (attempt.RefusedUntil is { } refusedUntil)
        {
            throw Throttled(context, refusedUntil, attempt.AccountWide);
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, token);
        // Hash even for an unknown email so response time does not tell which emails exist.
        var verdict = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyUser.PasswordHash, request.Password);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            UsersMetrics.Logins.WithLabels("wrong_credentials").Inc();
            var (addressLockedUntil, accountLockedUntil) = await throttle.FailedAsync(normalized, client, token);
            if (addressLockedUntil is { } until)
            {
                throw Throttled(context, until, accountWide: false);
            }
            if (accountLockedUntil is { } accountUntil && !attempt.KnownClient)
            {
                throw Throttled(context, accountUntil, accountWide: true);
            }
            throw RpcErrors.Unauthenticated("Wrong email or password.");
        }

        await throttle.SucceededAsync(normalized, client, attempt, token);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await db.Users.Where(u => u.Id == user.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, hasher.HashPassword(user, request.Password)), token);
        }
        UsersMetrics.Logins.WithLabels("success").Inc();
        return new LoginResponse
        {
            AccessToken = tokens.Issue(user),
            TokenType = "Bearer",
            ExpiresIn = (int)tokens.Lifetime.TotalSeconds,
            User = user.ToMessage(),
        };
    }

    [Authorize]
    public override async Task<UserMessage> GetMe(GetMeRequest request, ServerCallContext context) =>
        (await FindCallerAsync(context)).ToMessage();

    [Authorize]
    public override async Task<UserMessage> UpdateMe(UpdateMeRequest request, ServerCallContext context)
    {
        var user = await FindCallerAsync(context);
        if (request.HasDisplayName)
        {
            user.DisplayName = AccountRules.DisplayName(request.DisplayName);
        }
        if (request.HasNewPassword)
        {
            AccountRules.Password(request.NewPassword, "new_password");
            if (hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword) == PasswordVerificationResult.Failed)
            {
                throw RpcErrors.InvalidArgument("current_password", "is not the account's current password");
            }
            user.PasswordHash = hasher.HashPassword(user, request.NewPassword);
        }
        user.UpdatedAt = clock.GetUtcNowForPostgres();
        await db.SaveChangesAsync(context.CancellationToken);
        return user.ToMessage();
    }

    [Authorize(Policy = Roles.Admin)]
    public override async Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context)
    {
        // The role in the token is as old as the token: an admin demoted since is refused now.
        if (!(await FindCallerAsync(context)).Roles.Contains(Roles.Admin))
        {
            throw RpcErrors.PermissionDenied("This account is no longer an administrator.");
        }
        var size = Paging.PageSize(request.PageSize);
        var query = db.Users.AsNoTracking();
        if (Paging.DecodeTimeToken(request.PageToken) is var (after, lastId))
        {
            query = query.Where(u => EF.Functions.GreaterThan(ValueTuple.Create(u.CreatedAt, u.Id), ValueTuple.Create(after, lastId)));
        }
        var page = await query.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Take(size + 1).ToListAsync(context.CancellationToken);

        var response = new ListUsersResponse();
        response.Users.AddRange(page.Take(size).Select(u => u.ToMessage()));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = Paging.EncodeToken(last.CreatedAt, last.Id);
        }
        return response;
    }

    private async Task<User> FindCallerAsync(ServerCallContext context)
    {
        var id = context.GetUserId();
        return await db.Users.FirstOrDefaultAsync(u => u.Id == id, context.CancellationToken)
            ?? throw RpcErrors.Unauthenticated("The account of this token no longer exists.");
    }

    private RpcException Throttled(ServerCallContext context, DateTimeOffset until, bool accountWide)
    {
        UsersMetrics.Logins.WithLabels(accountWide ? "throttled_account" : "throttled").Inc();
        var seconds = Math.Max(1, (int)Math.Ceiling((until - clock.GetUtcNow()).TotalSeconds));
        context.GetHttpContext().Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return RpcErrors.ResourceExhausted(accountWide
            ? $"Too many failed logins for this email from many addresses; try again in {seconds} seconds, or from an address you have logged in from before."
            : $"Too many failed logins for this email from this address; try again in {seconds} seconds.");
    }

    private static readonly User DummyUser = new()
    {
        Email = "",
        NormalizedEmail = "",
        DisplayName = "",
        // Hashed with the same iterations as real accounts, so an unknown email takes as long.
        PasswordHash = new PasswordHasher<User>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = PasswordHashing.Iterations }))
            .HashPassword(null!, "not a real password 1"),
    };
}

using Google.Protobuf.WellKnownTypes;
using UserMessage = GoMicro.Users.V1.User;

namespace GoMicro.Users.Accounts;

internal static class UserMapping
{
    public static UserMessage ToMessage(this User user) => new()
    {
        Id = user.Id.ToString(),
        Email = user.Email,
        DisplayName = user.DisplayName,
        Roles = { user.Roles },
        CreatedAt = Timestamp.FromDateTimeOffset(user.CreatedAt),
    };
}

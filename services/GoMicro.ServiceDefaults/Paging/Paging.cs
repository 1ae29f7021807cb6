using System.Text;
using GoMicro.ServiceDefaults.Grpc;
using Microsoft.AspNetCore.WebUtilities;

namespace GoMicro.ServiceDefaults.Paging;

public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>
    /// Longer than any token a service issues (the longest sort key is a 200-character product
    /// name): anything longer is refused before it is decoded.
    /// </summary>
    public const int MaxTokenLength = 1024;

    /// <summary>0 means the default; more than the maximum is capped; negative is an error.</summary>
    public static int PageSize(int requested) => requested switch
    {
        < 0 => throw RpcErrors.InvalidArgument("page_size", "must not be negative"),
        0 => DefaultPageSize,
        > MaxPageSize => MaxPageSize,
        _ => requested,
    };

    /// <summary>
    /// An opaque keyset cursor: the sort key and id of the last item of a page. Keyset paging
    /// stays correct while rows are inserted and costs the same on page 1 and page 1,000.
    /// </summary>
    public static string EncodeToken(string sortKey, Guid id) =>
        WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{id:N}|{sortKey}"));

    /// <summary>A cursor on (timestamp, id), the order of "oldest first" and "newest first" lists.</summary>
    public static string EncodeToken(DateTimeOffset at, Guid id) =>
        EncodeToken(at.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), id);

    public static (DateTimeOffset At, Guid Id)? DecodeTimeToken(string token) =>
        DecodeToken(token) is var (key, id)
            ? long.TryParse(key, System.Globalization.CultureInfo.InvariantCulture, out var ticks) && ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : throw RpcErrors.InvalidArgument("page_token", "is not a token this service issued")
            : null;

    public static (string SortKey, Guid Id)? DecodeToken(string token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        if (token.Length > MaxTokenLength)
        {
            throw RpcErrors.InvalidArgument("page_token", "is not a token this service issued");
        }
        try
        {
            var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar == 32 && Guid.TryParseExact(text[..bar], "N", out var id))
            {
                return (text[(bar + 1)..], id);
            }
        }
        catch (FormatException)
        {
        }
        throw RpcErrors.InvalidArgument("page_token", "is not a token this service issued");
    }
}

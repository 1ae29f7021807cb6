using System.Globalization;
using GoMicro.ServiceDefaults.Grpc;

namespace GoMicro.ServiceDefaults.Validation;

/// <summary>
/// What any text the services accept may not hold: control characters (a NUL cannot even be
/// stored in PostgreSQL text), half of a surrogate pair (not Unicode), and the bidirectional
/// overrides and isolates that make text read differently from what it is (U+202A–U+202E,
/// U+2066–U+2069). Line breaks and tabs only where a field is multi-line.
/// </summary>
public static class TextRules
{
    /// <returns>The text, unchanged, when it is clean.</returns>
    public static string Clean(string text, string field, bool multiline = false)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                throw RpcErrors.InvalidArgument(field, "is not valid Unicode (half of a surrogate pair)");
            }
            if (char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t'))
            {
                throw RpcErrors.InvalidArgument(field, $"must not contain control characters (U+{(int)c:X4})");
            }
            if (c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069')
            {
                throw RpcErrors.InvalidArgument(field, string.Create(CultureInfo.InvariantCulture, $"must not contain bidirectional control characters (U+{(int)c:X4})"));
            }
        }
        return text;
    }
}

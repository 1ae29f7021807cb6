using System.Text.RegularExpressions;

namespace GoMicro.Testing;

/// <summary>
/// The metric names a PromQL expression selects, read without a PromQL parser: strings,
/// ranges and grouping clauses are blanked out, then every identifier that is not a function,
/// an aggregation or a keyword is a metric name. Enough for the queries of our rules and
/// dashboard, which a test also runs through promtool for syntax.
/// </summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "Inf", "NaN"];

    /// <summary>Each selected metric, and whether it is written with label matchers in braces.</summary>
    public static IReadOnlyList<(string Metric, bool HasBraces)> Selectors(string expr)
    {
        var text = Strings().Replace(expr, "\"\"");
        text = Matchers().Replace(text, "{}");
        text = Ranges().Replace(text, "");
        text = Grouping().Replace(text, " ");
        List<(string, bool)> selectors = [];
        foreach (Match m in Identifier().Matches(text))
        {
            var rest = text[(m.Index + m.Length)..].TrimStart();
            if (Keywords.Contains(m.Value) || rest.StartsWith('('))
            {
                continue; // a keyword, a function or an aggregation
            }
            selectors.Add((m.Value, rest.StartsWith('{')));
        }
        return selectors;
    }

    public static IReadOnlyList<string> MetricNames(string expr) => [.. Selectors(expr).Select(s => s.Metric).Distinct()];

    /// <summary>A Grafana variable query such as label_values(metric{...}, label): its selector part.</summary>
    public static string FromVariableQuery(string query) =>
        LabelValues().Match(query) is { Success: true } m ? m.Groups["expr"].Value : query;

    /// <summary>
    /// Names as they appear in an exposition (`/metrics`): every sample's name, and for each
    /// family declared by a TYPE line its name and, for histograms and summaries, the
    /// _bucket, _sum and _count series a query selects (so a family with no sample yet counts).
    /// </summary>
    public static HashSet<string> ExpositionNames(string exposition)
    {
        HashSet<string> names = [];
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                names.Add(parts[2]);
                if (parts.Length > 3 && parts[3] is "histogram" or "summary")
                {
                    names.UnionWith([parts[2] + "_sum", parts[2] + "_count"]);
                    if (parts[3] == "histogram")
                    {
                        names.Add(parts[2] + "_bucket");
                    }
                }
            }
            else if (!line.StartsWith('#'))
            {
                names.Add(SampleName().Match(line).Value);
            }
        }
        names.Remove("");
        return names;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![a-zA-Z0-9_:.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*label_values\((?<expr>.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}

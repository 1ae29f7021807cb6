using System.Globalization;
using System.Text.RegularExpressions;

namespace GoMicro.LoadGen;

/// <summary>
/// A Prometheus histogram read from the text exposition format: cumulative bucket counts by
/// upper bound, summed over every label set. <see cref="Minus"/> gives the observations between
/// two scrapes and <see cref="Quantile"/> estimates as PromQL's histogram_quantile does (linear
/// within the bucket; the highest finite bound when the rank falls in +Inf).
/// </summary>
public sealed partial class PrometheusHistogram
{
    private readonly SortedDictionary<double, double> _buckets;

    private PrometheusHistogram(SortedDictionary<double, double> buckets) => _buckets = buckets;

    /// <summary>Observations (the +Inf bucket).</summary>
    public double Count => _buckets.Count == 0 ? 0 : _buckets.Last().Value;

    /// <summary>The histogram named <paramref name="name"/> in a scrape, or null when it is not there.</summary>
    public static PrometheusHistogram? Parse(string exposition, string name)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(name + "_bucket{", StringComparison.Ordinal))
            {
                continue;
            }
            var match = BucketLine().Match(line);
            if (!match.Success)
            {
                continue;
            }
            var bound = ParseNumber(match.Groups["le"].Value);
            buckets[bound] = buckets.GetValueOrDefault(bound) + ParseNumber(match.Groups["value"].Value);
        }
        return buckets.Count == 0 ? null : new PrometheusHistogram(buckets);
    }

    /// <summary>The observations made since <paramref name="earlier"/> (null: since the start).</summary>
    public PrometheusHistogram Minus(PrometheusHistogram? earlier)
    {
        var delta = new SortedDictionary<double, double>();
        foreach (var (bound, count) in _buckets)
        {
            delta[bound] = Math.Max(0, count - (earlier?._buckets.GetValueOrDefault(bound) ?? 0));
        }
        return new PrometheusHistogram(delta);
    }

    /// <summary>The estimated value at quantile <paramref name="q"/> (0 to 1); NaN without observations.</summary>
    public double Quantile(double q)
    {
        var total = Count;
        if (total <= 0 || double.IsNaN(q))
        {
            return double.NaN;
        }
        var rank = Math.Clamp(q, 0, 1) * total;
        double lowerBound = 0, lowerCount = 0, highestFinite = 0;
        foreach (var (bound, cumulative) in _buckets)
        {
            if (!double.IsPositiveInfinity(bound))
            {
                highestFinite = bound;
            }
            if (cumulative >= rank && cumulative > lowerCount)
            {
                if (double.IsPositiveInfinity(bound))
                {
                    return highestFinite;
                }
                if (lowerBound == 0 && bound <= 0)
                {
                    return bound;
                }
                return lowerBound + (bound - lowerBound) * (rank - lowerCount) / (cumulative - lowerCount);
            }
            lowerBound = bound;
            lowerCount = cumulative;
        }
        return highestFinite;
    }

    private static double ParseNumber(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("""le="(?<le>[^"]+)".*\}\s+(?<value>\S+)""")]
    private static partial Regex BucketLine();
}

using Microsoft.Extensions.Configuration;

namespace GoMicro.ServiceDefaults.Hosting;

public static class RequiredConfiguration
{
    /// <summary>
    /// The value at <paramref name="key"/> ("Section:Name"), or a start-up failure that names
    /// the environment variable to set ("Section__Name"), so a misconfigured pod says why it
    /// crashed in its first log line.
    /// </summary>
    public static string GetRequired(this IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new MissingConfigurationException(key);
        }
        return value;
    }

    /// <summary>
    /// The value at <paramref name="key"/>, or <paramref name="defaultValue"/> when the key is not
    /// set at all; set but empty is a start-up failure, as with <see cref="GetRequired(IConfiguration, string)"/>.
    /// </summary>
    public static string GetRequired(this IConfiguration configuration, string key, string defaultValue) =>
        configuration[key] is null ? defaultValue : configuration.GetRequired(key);
}

public sealed class MissingConfigurationException(string key)
    : InvalidOperationException($"Missing configuration: set the environment variable {ToEnvironmentName(key)} (configuration key '{key}').")
{
    public string Key { get; } = key;

    public static string ToEnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}

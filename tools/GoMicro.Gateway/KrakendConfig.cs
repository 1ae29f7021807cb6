using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.ServiceDefaults.Auth;

namespace GoMicro.Gateway;

/// <summary>Where tokens come from and what they must say.</summary>
public sealed record TokenSettings(string Issuer, string Audience)
{
    /// <summary>The services' own defaults (<see cref="JwtOptions"/>), the one place they are set.</summary>
    public static TokenSettings Default { get; } = new(JwtOptions.DefaultIssuer, JwtOptions.DefaultAudience);
}

/// <summary>
/// The KrakenD CE v2 configuration: one endpoint per service route, passed through unchanged
/// (no-op encoding: the service's status codes, headers and bodies reach the client as they
/// are), JWT checked at the edge against the users JWKS (and again by the service), per-IP
/// rate limits keyed on the TCP peer unless a trusted proxy is named
/// (<see cref="ClientAddresses"/>), CORS, timeouts, OpenTelemetry with a Prometheus exporter,
/// and /__health.
/// </summary>
public static class KrakendConfig
{
    public const int Port = 8085;
    public const int MetricsPort = 9091;
    public const string HealthPath = "/__health";
    public const string SchemaUrl = "https://www.krakend.io/schema/v2.13/krakend.json";

    private static readonly string[] ForwardedHeaders = ["Authorization", "Content-Type", "Idempotency-Key", "traceparent", "tracestate"];

    public static JsonObject Build(IEnumerable<GatewayRoute> routes, TokenSettings tokens, ClientAddresses? clients = null) => new()
    {
        ["$schema"] = SchemaUrl,
        ["version"] = 3,
        ["name"] = "gomicro",
        ["port"] = Port,
        ["timeout"] = "5s",
        ["read_header_timeout"] = "2s",
        ["idle_timeout"] = "60s",
        ["cache_ttl"] = "0s",
        ["output_encoding"] = "no-op",
        ["extra_config"] = new JsonObject
        {
            ["router"] = (clients ?? ClientAddresses.PeerOnly).AddTo(new JsonObject
            {
                ["health_path"] = HealthPath,
                ["hide_version_header"] = true,
                ["logger_skip_paths"] = new JsonArray(HealthPath),
                ["auto_options"] = true,
            }),
            ["security/cors"] = new JsonObject
            {
                ["allow_origins"] = new JsonArray("*"),
                ["allow_methods"] = new JsonArray("GET", "POST", "PUT", "DELETE"),
                ["allow_headers"] = new JsonArray([.. ForwardedHeaders.Select(h => (JsonNode)h)]),
                ["expose_headers"] = new JsonArray("Retry-After"),
                ["max_age"] = "12h",
                ["allow_credentials"] = false,
            },
            ["telemetry/opentelemetry"] = new JsonObject
            {
                ["service_name"] = "krakend",
                ["trace_sample_rate"] = 1,
                ["metric_reporting_period"] = 15,
                ["skip_paths"] = new JsonArray(HealthPath),
                ["exporters"] = new JsonObject
                {
                    ["prometheus"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "prometheus",
                        ["port"] = MetricsPort,
                        ["process_metrics"] = true,
                        ["go_metrics"] = false,
                    }),
                },
            },
        },
        ["endpoints"] = new JsonArray([.. routes.OrderBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Verb, StringComparer.Ordinal).Select(r => (JsonNode)Endpoint(r, tokens))]),
    };

    /// <remarks>
    /// Order inside KrakenD CE 2.13 is fixed by code, not by configuration: krakend-ce v2.13.8
    /// handler_factory.go:24-30 wraps the endpoint handler in the rate limiter (:25), that in
    /// Lua (:26) and that in the JWT validator (:27), so auth/validator runs first and answers
    /// 401/403 (krakend-jose v2.12 gin/jose.go:130-172) without ever calling the rate limiter
    /// (:178): requests with bad tokens are not counted. CE has no limiter that runs before it
    /// (the service-wide qos/ratelimit/service is Enterprise only; the backend-level
    /// qos/ratelimit/proxy, backend_factory.go:71, runs after it and answers 500). Public
    /// routes (registration, login) have no validator, so their limits see every request.
    /// </remarks>
    private static JsonObject Endpoint(GatewayRoute route, TokenSettings tokens)
    {
        var extra = new JsonObject { ["qos/ratelimit/router"] = RateLimit(route) };
        if (route.Access != Access.Public)
        {
            var validator = new JsonObject
            {
                ["alg"] = GoMicro.ServiceDefaults.Auth.JwtSigning.Algorithm,
                ["jwk_url"] = JwtOptions.JwksUrlAt(GoMicro.ServiceDefaults.ServiceNames.Users),
                ["cache"] = true,
                ["cache_duration"] = 300,
                // In-cluster plain HTTP to the users service.
                ["disable_jwk_security"] = true,
                ["issuer"] = tokens.Issuer,
                ["audience"] = new JsonArray(tokens.Audience),
                ["roles_key"] = ClaimNames.Role,
            };
            if (route.Access == Access.Admin)
            {
                validator["roles"] = new JsonArray(Roles.Admin);
            }
            extra["auth/validator"] = validator;
        }
        var endpoint = new JsonObject
        {
            ["endpoint"] = route.Path,
            ["method"] = route.Verb,
            ["output_encoding"] = "no-op",
            ["input_headers"] = new JsonArray([.. ForwardedHeaders.Select(h => (JsonNode)h)]),
        };
        if (route.Timeout is { } timeout)
        {
            endpoint["timeout"] = $"{(int)timeout.TotalSeconds}s";
        }
        if (route.QueryStrings.Count > 0)
        {
            endpoint["input_query_strings"] = new JsonArray([.. route.QueryStrings.Select(q => (JsonNode)q)]);
        }
        endpoint["backend"] = new JsonArray(new JsonObject
        {
            ["host"] = new JsonArray(route.Backend),
            ["url_pattern"] = route.Path,
            ["method"] = route.Verb,
            ["encoding"] = "no-op",
        });
        endpoint["extra_config"] = extra;
        return endpoint;
    }

    /// <summary>
    /// Per-IP limits (client_max_rate, strategy ip) under an overall cap per endpoint
    /// (max_rate), both per second; registration and login get the tight ones.
    /// <para>
    /// The client is the address the router resolves (see <see cref="ClientAddresses"/>):
    /// krakend-ratelimit v3.3.1 keys strategy ip on gin's Context.ClientIP() when no "key" is
    /// set (router/gin/tokenextractor.go:19, :23-26, :52). A "key" would make it read that
    /// header's first entry itself (:27-35), the value the client wrote, so none is set.
    /// </para>
    /// <para>
    /// What KrakenD CE 2.13 answers, fixed in its source and not configurable (the schema
    /// qos/ratelimit/router.json has no status or header setting, additionalProperties false):
    /// a client over its limit gets 429, the endpoint over its cap gets 503, both with no body
    /// and no Retry-After (router/gin/gin.go:152/:156 and :101, c.AbortWithError, which writes
    /// the status at once: gin v1.12.0 context.go:213-216, :238-240). The per-client check
    /// runs first (gin.go:43-44), so a client over its own limit spends none of the cap.
    /// </para>
    /// </summary>
    private static JsonObject RateLimit(GatewayRoute route)
    {
        var credentials = route.Verb == "POST" && route.Path is "/users" or "/users/login";
        return new JsonObject
        {
            ["max_rate"] = credentials ? 50 : 500,
            ["client_max_rate"] = credentials ? 1 : 20,
            ["client_capacity"] = credentials ? 5 : 40,
            ["strategy"] = "ip",
        };
    }

    public static string ToJson(JsonObject config) =>
        config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}

using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GoMicro.Operator.Tests;

/// <summary>
/// A small in-memory Kubernetes API server on 127.0.0.1, for driving the operator without a
/// cluster (none can run here). It speaks the REST protocol KubernetesClient uses: get, list,
/// watch (resourceVersion, bookmarks, label selectors), create, replace with optimistic
/// concurrency, merge patch, server-side apply (a deep merge of the applied fields, with
/// field ownership: see FakeApiServer.FieldOwnership.cs), the status subresource, generation, finalizers with
/// deletionTimestamp, and garbage collection through owner references. Where a real one
/// would refuse or change what the operator writes, it does too: the GoMicroShop CRD's
/// defaults and CEL rules (422 Invalid), a StatefulSet's immutable spec fields (422), and,
/// once given the chart's RBAC, any call the operator's service account may not make (403).
/// It has no controllers: tests play the Deployment and StatefulSet controllers themselves.
/// </summary>
public sealed partial class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _objects = [];
    private readonly List<Change> _log = [];
    private readonly List<Channel<Change>> _watchers = [];
    private long _version = 100;
    private long _expiredBefore;
    private readonly HashSet<string> _refused = [];
    private readonly HashSet<string> _hidden = [];
    private Func<RequestAttributes, bool>? _authorize;

    /// <summary>What RBAC decides on: the verb and resource of a request, as the authorizer sees them.</summary>
    public sealed record RequestAttributes(string Verb, string Group, string Resource, string? Namespace, string? Name);

    /// <summary>The bearer token of the tests' own client (playing a cluster admin): never checked against RBAC.</summary>
    public const string AdminToken = "cluster-admin";

    /// <summary>Requests the authorizer refused with 403, as "verb group/resource namespace/name".</summary>
    public List<string> Forbidden { get; } = [];

    /// <summary>From now on a request without the admin token is answered 403 unless <paramref name="authorize"/> allows it.</summary>
    public void EnforceRbac(Func<RequestAttributes, bool> authorize)
    {
        lock (_lock)
        {
            _authorize = authorize;
        }
    }

    /// <summary>Plays a resource the API server does not serve (a CRD not installed): 404 to every request for it.</summary>
    public void Hide(string resource)
    {
        lock (_lock)
        {
            _hidden.Add(resource);
        }
    }

    public void Unhide(string resource)
    {
        lock (_lock)
        {
            _hidden.Remove(resource);
        }
    }

    /// <summary>The manager of a write that names none (a real API server takes it from the user agent).</summary>
    public const string UnnamedManager = "unnamed-client";

    private sealed record Change(long Version, string Resource, string Namespace, string Type, JsonObject Object);

    public FakeApiServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Map("/{**path}", HandleAsync);
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>
    /// Plays an API server restart: open watches end, and a watch from any resourceVersion
    /// up to now is answered with an ERROR 410 Expired event, as the watch cache does.
    /// </summary>
    public void ExpireWatches()
    {
        lock (_lock)
        {
            _expiredBefore = _version + 1;
            foreach (var w in _watchers)
            {
                w.Writer.TryComplete();
            }
        }
    }

    /// <summary>Plays admission refusing an object: writes to it are answered 422 Invalid.</summary>
    public void RefuseWrites(string ns, string resource, string name)
    {
        lock (_lock)
        {
            _refused.Add($"{ns}/{resource}/{name}");
        }
    }

    /// <summary>Every request as "METHOD path?query", for asserting how the operator talks.</summary>
    public List<string> Requests { get; } = [];

    public async Task StartAsync()
    {
        await _app.StartAsync();
        Address = new Uri(_app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            foreach (var w in _watchers)
            {
                w.Writer.TryComplete();
            }
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        lock (Requests)
        {
            Requests.Add($"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}");
        }
        var route = Route.Parse(http.Request.Path.Value!);
        if (route is null)
        {
            await Fail(http, HttpStatusCode.NotFound, "NotFound", "no such path");
            return;
        }
        var query = http.Request.Query;
        var method = http.Request.Method;
        string? refusal = null;
        lock (_lock)
        {
            if (_hidden.Contains(route.Resource))
            {
                refusal = "hidden";
            }
            else if (_authorize is not null && http.Request.Headers.Authorization != $"Bearer {AdminToken}")
            {
                var attributes = new RequestAttributes(Verb(method, route, query), route.ApiVersion.Contains('/', StringComparison.Ordinal) ? route.ApiVersion.Split('/')[0] : "",
                    route.Resource + (route.Status ? "/status" : ""), route.Namespace, route.Name);
                if (!_authorize(attributes))
                {
                    refusal = $"{attributes.Verb} {attributes.Group}/{attributes.Resource} {attributes.Namespace}/{attributes.Name}";
                    lock (Forbidden)
                    {
                        Forbidden.Add(refusal);
                    }
                }
            }
        }
        if (refusal == "hidden")
        {
            await Fail(http, HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");
            return;
        }
        if (refusal is not null)
        {
            await Fail(http, HttpStatusCode.Forbidden, "Forbidden", $"{refusal} is forbidden: the service account is not allowed to do this");
            return;
        }
        if (method == "GET" && route.Name is null)
        {
            if (query["watch"] == "true" || query["watch"] == "1")
            {
                await WatchAsync(http, route, query["resourceVersion"], query["labelSelector"], query["allowWatchBookmarks"] == "true");
            }
            else
            {
                await Json(http, HttpStatusCode.OK, List(route, query["labelSelector"]));
            }
            return;
        }
        bool refused;
        lock (_lock)
        {
            refused = route.Name is not null && method is "PUT" or "PATCH" && !route.Status && _refused.Contains($"{route.Namespace}/{route.Resource}/{route.Name}");
        }
        if (refused)
        {
            await Fail(http, HttpStatusCode.UnprocessableEntity, "Invalid", $"{route.Resource} \"{route.Name}\" is invalid: spec: Forbidden: updates to this field are forbidden");
            return;
        }
        HttpStatusCode status;
        JsonObject body;
        try
        {
            (status, body) = method switch
            {
                "GET" => Get(route),
                "POST" => Create(route, await ReadAsync(http), query["fieldManager"]),
                "PUT" => Replace(route, await ReadAsync(http), query["fieldManager"]),
                "PATCH" => Patch(route, http.Request.ContentType ?? "", query["fieldManager"], await ReadAsync(http)),
                "DELETE" when route.Name is null => DeleteCollection(route, query["labelSelector"]),
                "DELETE" => Delete(route),
                _ => (HttpStatusCode.MethodNotAllowed, StatusBody(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", method)),
            };
        }
        catch (InvalidObjectException e)
        {
            (status, body) = (HttpStatusCode.UnprocessableEntity, StatusBody(HttpStatusCode.UnprocessableEntity, "Invalid", e.Message));
        }
        await Json(http, status, body);
    }

    private static string Verb(string method, Route route, IQueryCollection query) => method switch
    {
        "GET" when route.Name is not null => "get",
        "GET" when query["watch"] == "true" || query["watch"] == "1" => "watch",
        "GET" => "list",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when route.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };

    private sealed class InvalidObjectException(string message) : Exception(message);

    /// <summary>
    /// What admission and validation do to a write before it is stored: a shop gets its CRD's
    /// defaults and must pass its CEL rules; a StatefulSet's spec may change only where
    /// Kubernetes allows it.
    /// </summary>
    private static void Admit(Route route, JsonObject? current, JsonObject next)
    {
        var name = Meta(next)["name"]?.GetValue<string>();
        if (route.Resource == "gomicroshops")
        {
            CrdRules.ApplyDefaults(next);
            if (!route.Status && CrdRules.Violations(current, next) is { Count: > 0 } violations)
            {
                throw new InvalidObjectException($"GoMicroShop.gomicro.io \"{name}\" is invalid: {string.Join("; ", violations)}");
            }
        }
        if (route.Resource == "statefulsets" && current is not null && !route.Status)
        {
            static JsonNode? Fixed(JsonObject o)
            {
                var spec = (o["spec"] as JsonObject)?.DeepClone().AsObject() ?? [];
                foreach (var mutable in new[] { "replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds" })
                {
                    spec.Remove(mutable);
                }
                return spec;
            }
            if (!JsonNode.DeepEquals(Fixed(current), Fixed(next)))
            {
                throw new InvalidObjectException($"StatefulSet.apps \"{name}\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
            }
        }
    }

    private static async Task<JsonObject> ReadAsync(HttpContext http) =>
        (await JsonNode.ParseAsync(http.Request.Body))?.AsObject() ?? [];

    // ----- reads -----

    private (HttpStatusCode, JsonObject) Get(Route route)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(route.Key, out var obj)
                ? (HttpStatusCode.OK, Clone(obj))
                : NotFound(route);
        }
    }

    private JsonObject List(Route route, string? selector)
    {
        lock (_lock)
        {
            var items = new JsonArray();
            foreach (var obj in Matching(route, selector))
            {
                items.Add(Clone(obj));
            }
            return new JsonObject
            {
                ["kind"] = "List",
                ["apiVersion"] = route.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = items,
            };
        }
    }

    private List<JsonObject> Matching(Route route, string? selector) =>
        [.. _objects.Where(o => o.Key.StartsWith(route.Collection, StringComparison.Ordinal)
                && (route.Namespace is null || Meta(o.Value)["namespace"]?.GetValue<string>() == route.Namespace)
                && Selects(selector, o.Value))
            .Select(o => o.Value)];

    private async Task WatchAsync(HttpContext http, Route route, string? from, string? selector, bool bookmarks)
    {
        var channel = Channel.CreateUnbounded<Change>();
        bool expired;
        lock (_lock)
        {
            var since = long.TryParse(from, out var v) ? v : _version;
            expired = since < _expiredBefore;
            foreach (var change in _log.Where(c => c.Version > since))
            {
                channel.Writer.TryWrite(change);
            }
            if (!expired)
            {
                _watchers.Add(channel);
            }
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        await http.Response.StartAsync();
        if (expired)
        {
            var gone = new JsonObject { ["type"] = "ERROR", ["object"] = StatusBody(HttpStatusCode.Gone, "Expired", $"too old resource version: {from}") };
            await http.Response.WriteAsync(gone.ToJsonString() + "\n");
            return;
        }
        var stop = http.RequestAborted;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stop);
                tick.CancelAfter(TimeSpan.FromMilliseconds(500));
                Change? change = null;
                try
                {
                    change = await channel.Reader.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                }
                catch (ChannelClosedException)
                {
                    return;
                }
                JsonObject? line = null;
                if (change is not null)
                {
                    if (change.Resource == route.Resource && (route.Namespace is null || change.Namespace == route.Namespace) && Selects(selector, change.Object))
                    {
                        line = new JsonObject { ["type"] = change.Type, ["object"] = Clone(change.Object) };
                    }
                }
                else if (bookmarks)
                {
                    lock (_lock)
                    {
                        line = new JsonObject
                        {
                            ["type"] = "BOOKMARK",
                            ["object"] = new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                        };
                    }
                }
                if (line is not null)
                {
                    await http.Response.WriteAsync(line.ToJsonString() + "\n", stop);
                    await http.Response.Body.FlushAsync(stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }
        }
    }

    // ----- writes -----

    /// <param name="manager">The field manager of a plain create; null for the create of an apply, which records its own ownership.</param>
    private (HttpStatusCode, JsonObject) Create(Route route, JsonObject body, string? manager)
    {
        lock (_lock)
        {
            var meta = Meta(body);
            if (meta["name"] is null && meta["generateName"]?.GetValue<string>() is { } prefix)
            {
                meta["name"] = prefix + Guid.NewGuid().ToString("N")[..5];
            }
            var name = meta["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                return (HttpStatusCode.UnprocessableEntity, StatusBody(HttpStatusCode.UnprocessableEntity, "Invalid", "metadata.name is required"));
            }
            var key = route with { Name = name };
            if (_objects.ContainsKey(key.Key))
            {
                return (HttpStatusCode.Conflict, StatusBody(HttpStatusCode.Conflict, "AlreadyExists", $"{route.Resource} \"{name}\" already exists"));
            }
            meta["namespace"] = route.Namespace;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            meta["generation"] = 1L;
            meta.Remove("resourceVersion");
            if (manager is not null || meta["managedFields"] is null)
            {
                OwnUpdated(null, body, manager ?? UnnamedManager);
            }
            Admit(key, null, body);
            return (HttpStatusCode.Created, Store(key, body, "ADDED"));
        }
    }

    private (HttpStatusCode, JsonObject) Replace(Route route, JsonObject body, string? manager)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(route.Key, out var current))
            {
                return NotFound(route);
            }
            var expected = Meta(body)["resourceVersion"]?.GetValue<string>();
            if (expected is not null && expected != Meta(current)["resourceVersion"]?.GetValue<string>())
            {
                return Conflict(route);
            }
            JsonObject next;
            if (route.Status)
            {
                next = Clone(current);
                next["status"] = body["status"]?.DeepClone();
            }
            else
            {
                next = body;
                next["status"] = current["status"]?.DeepClone();
                KeepSystemMetadata(current, next);
                OwnUpdated(current, next, manager ?? UnnamedManager);
            }
            return (HttpStatusCode.OK, Update(route, current, next));
        }
    }

    private (HttpStatusCode, JsonObject) Patch(Route route, string contentType, string? fieldManager, JsonObject patch)
    {
        lock (_lock)
        {
            var exists = _objects.TryGetValue(route.Key, out var current);
            if (contentType.StartsWith("application/apply-patch", StringComparison.Ordinal))
            {
                if (string.IsNullOrEmpty(fieldManager))
                {
                    return (HttpStatusCode.BadRequest, StatusBody(HttpStatusCode.BadRequest, "BadRequest", "fieldManager is required for apply patch"));
                }
                patch.Remove("status");
                Meta(patch).Remove("managedFields");
                if (!exists)
                {
                    Meta(patch)["name"] = route.Name;
                    OwnApplied(null, patch, patch.DeepClone().AsObject(), fieldManager);
                    var (code, created) = Create(route with { Name = null }, patch, manager: null);
                    return (code == HttpStatusCode.Created ? HttpStatusCode.OK : code, created);
                }
                var applied = Clone(current!);
                Merge(applied, patch, deleteNulls: false);
                OwnApplied(current, applied, patch, fieldManager);
                return (HttpStatusCode.OK, Update(route, current!, applied));
            }
            if (!exists)
            {
                return NotFound(route);
            }
            var expected = Meta(patch)["resourceVersion"]?.GetValue<string>();
            if (expected is not null && expected != Meta(current!)["resourceVersion"]?.GetValue<string>())
            {
                return Conflict(route);
            }
            var next = Clone(current!);
            if (route.Status)
            {
                next["status"] = current!["status"]?.DeepClone() ?? new JsonObject();
                Merge(next, new JsonObject { ["status"] = patch["status"]?.DeepClone() }, deleteNulls: true);
            }
            else
            {
                patch.Remove("status");
                Merge(next, patch, deleteNulls: true);
                OwnUpdated(current, next, fieldManager ?? UnnamedManager);
            }
            return (HttpStatusCode.OK, Update(route, current!, next));
        }
    }

    private (HttpStatusCode, JsonObject) Delete(Route route)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(route.Key, out var current))
            {
                return NotFound(route);
            }
            return (HttpStatusCode.OK, DeleteLocked(route, current));
        }
    }

    private (HttpStatusCode, JsonObject) DeleteCollection(Route route, string? selector)
    {
        lock (_lock)
        {
            foreach (var obj in Matching(route, selector))
            {
                DeleteLocked(route with { Name = Meta(obj)["name"]!.GetValue<string>() }, obj);
            }
            return (HttpStatusCode.OK, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" });
        }
    }

    private JsonObject DeleteLocked(Route route, JsonObject current)
    {
        if (Meta(current)["finalizers"] is JsonArray { Count: > 0 })
        {
            if (Meta(current)["deletionTimestamp"] is not null)
            {
                return Clone(current);
            }
            var marked = Clone(current);
            Meta(marked)["deletionTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            return Store(route, marked, "MODIFIED");
        }
        _objects.Remove(route.Key);
        var gone = Clone(current);
        Meta(gone)["resourceVersion"] = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Publish(new Change(_version, route.Resource, route.Namespace ?? "", "DELETED", gone));
        CollectGarbage(Meta(current)["uid"]!.GetValue<string>());
        return gone;
    }

    /// <summary>The garbage collector: what the deleted object owned goes too (background cascade).</summary>
    private void CollectGarbage(string ownerUid)
    {
        var owned = _objects.Where(o => Meta(o.Value)["ownerReferences"] is JsonArray refs
                && refs.Any(r => r?["uid"]?.GetValue<string>() == ownerUid))
            .Select(o => (Route: Route.FromKey(o.Key), o.Value))
            .ToList();
        foreach (var (route, obj) in owned)
        {
            if (_objects.ContainsKey(route.Key))
            {
                DeleteLocked(route, obj);
            }
        }
    }

    private JsonObject Update(Route route, JsonObject current, JsonObject next)
    {
        Admit(route, current, next);
        var spec = (JsonObject o) => new JsonObject(o.Where(p => p.Key is not ("metadata" or "status")).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var generation = long.Parse(Meta(current)["generation"]?.ToJsonString() ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        Meta(next)["generation"] = JsonNode.DeepEquals(spec(current), spec(next)) ? generation : generation + 1;
        if (JsonNode.DeepEquals(Without(current, "resourceVersion"), Without(next, "resourceVersion")))
        {
            return Clone(current); // no change: no new resourceVersion, no watch event
        }
        if (Meta(next)["deletionTimestamp"] is not null && Meta(next)["finalizers"] is not JsonArray { Count: > 0 })
        {
            return DeleteLocked(route, next);
        }
        return Store(route, next, "MODIFIED");
    }

    private JsonObject Store(Route route, JsonObject obj, string type)
    {
        Meta(obj)["resourceVersion"] = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _objects[route.Key] = Clone(obj);
        Publish(new Change(_version, route.Resource, route.Namespace ?? "", type, Clone(obj)));
        if (Meta(obj)["ownerReferences"] is JsonArray { Count: > 0 } owners
            && !owners.Any(o => _objects.Values.Any(x => Meta(x)["uid"]?.GetValue<string>() == o?["uid"]?.GetValue<string>())))
        {
            // The garbage collector removes a dependent whose owners are all gone, also one
            // written after its owner was deleted (a controller that raced the deletion).
            return DeleteLocked(route, obj);
        }
        return Clone(obj);
    }

    private void Publish(Change change)
    {
        _log.Add(change);
        foreach (var w in _watchers)
        {
            w.Writer.TryWrite(change);
        }
    }

    // ----- helpers -----

    private static void KeepSystemMetadata(JsonObject from, JsonObject to)
    {
        foreach (var field in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp", "namespace" })
        {
            Meta(to)[field] = Meta(from)[field]?.DeepClone();
        }
    }

    private static JsonObject Without(JsonObject obj, string metadataField)
    {
        var copy = Clone(obj);
        Meta(copy).Remove(metadataField);
        return copy;
    }

    /// <summary>JSON merge patch (RFC 7386); apply keeps nulls out instead of deleting.</summary>
    private static void Merge(JsonObject target, JsonObject patch, bool deleteNulls)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                if (deleteNulls)
                {
                    target.Remove(key);
                }
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child, deleteNulls);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static bool Selects(string? selector, JsonObject obj)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }
        var labels = Meta(obj)["labels"] as JsonObject;
        return selector.Split(',').All(term =>
        {
            var parts = term.Split('=', 2);
            return labels?[parts[0]]?.GetValue<string>() == parts[1];
        });
    }

    private static JsonObject Meta(JsonObject obj) => obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());

    private static JsonObject Clone(JsonObject obj) => obj.DeepClone().AsObject();

    private static (HttpStatusCode, JsonObject) NotFound(Route route) =>
        (HttpStatusCode.NotFound, StatusBody(HttpStatusCode.NotFound, "NotFound", $"{route.Resource} \"{route.Name}\" not found"));

    private static (HttpStatusCode, JsonObject) Conflict(Route route) =>
        (HttpStatusCode.Conflict, StatusBody(HttpStatusCode.Conflict, "Conflict", $"the object {route.Name} has been modified; please apply your changes to the latest version"));

    private static JsonObject StatusBody(HttpStatusCode code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["reason"] = reason,
        ["message"] = message,
        ["code"] = (int)code,
    };

    private static Task Fail(HttpContext http, HttpStatusCode code, string reason, string message) =>
        Json(http, code, StatusBody(code, reason, message));

    private static async Task Json(HttpContext http, HttpStatusCode code, JsonObject body)
    {
        http.Response.StatusCode = (int)code;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }

    /// <summary>/api/v1/… or /apis/group/version/…, then [namespaces/ns/]resource[/name[/status]].</summary>
    private sealed record Route(string ApiVersion, string Resource, string? Namespace, string? Name, bool Status)
    {
        public string Collection => $"{ApiVersion}/{Resource}|";

        public string Key => $"{Collection}{Namespace}|{Name}";

        public static Route FromKey(string key)
        {
            var parts = key.Split('|');
            var slash = parts[0].LastIndexOf('/');
            return new Route(parts[0][..slash], parts[0][(slash + 1)..], parts[1].Length == 0 ? null : parts[1], parts[2], false);
        }

        public static Route? Parse(string path)
        {
            var s = path.Trim('/').Split('/');
            int i;
            string apiVersion;
            if (s.Length >= 3 && s[0] == "api")
            {
                (apiVersion, i) = (s[1], 2);
            }
            else if (s.Length >= 4 && s[0] == "apis")
            {
                (apiVersion, i) = ($"{s[1]}/{s[2]}", 3);
            }
            else
            {
                return null;
            }
            string? ns = null;
            if (s.Length > i + 1 && s[i] == "namespaces" && s.Length >= i + 3)
            {
                ns = s[i + 1];
                i += 2;
            }
            if (s.Length <= i)
            {
                return null;
            }
            var resource = s[i];
            var name = s.Length > i + 1 ? s[i + 1] : null;
            var status = s.Length > i + 2 && s[i + 2] == "status";
            return new Route(apiVersion, resource, ns, name, status);
        }
    }
}

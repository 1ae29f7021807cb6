using System.Text.Json.Nodes;

namespace GoMicro.Operator.Tests;

/// <summary>
/// Server-side apply's field ownership, as far as the operator depends on it: each write
/// records in metadata.managedFields (fieldsV1 form, "f:" keys, lists atomic) which manager
/// owns which fields. An apply takes the fields it sets (by force from other owners when it
/// changes their value, shared when it leaves the value as it is), and removes a field it
/// applied before and applies no more, unless another manager still owns it. Any other write
/// (create, replace, merge patch) gives its manager the fields it changed, which their former
/// owners lose. Status writes are not tracked.
/// </summary>
public sealed partial class FakeApiServer
{
    private const char Separator = '\u001f';

    private static readonly string[] SystemMetadata = ["name", "namespace", "managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "deletionTimestamp"];

    /// <summary>An apply by <paramref name="manager"/> of <paramref name="applied"/>, already merged into <paramref name="next"/>.</summary>
    private static void OwnApplied(JsonObject? current, JsonObject next, JsonObject applied, string manager)
    {
        var owners = Owners(current);
        var key = (manager, "Apply");
        var fields = Leaves(applied);
        foreach (var dropped in owners.GetValueOrDefault(key, []).Except(fields))
        {
            if (!owners.Any(o => o.Key != key && o.Value.Contains(dropped)))
            {
                Remove(next, dropped);
            }
        }
        foreach (var field in fields.Where(f => !JsonNode.DeepEquals(At(current, f), At(next, f))))
        {
            foreach (var other in owners.Where(o => o.Key != key))
            {
                other.Value.Remove(field);
            }
        }
        owners[key] = fields;
        Write(next, owners);
    }

    /// <summary>A write other than apply: its manager owns what it changed.</summary>
    private static void OwnUpdated(JsonObject? current, JsonObject next, string manager)
    {
        var owners = Owners(current);
        var key = (manager, "Update");
        var before = current is null ? [] : Leaves(current);
        var after = Leaves(next);
        foreach (var field in before.Union(after).Where(f => !JsonNode.DeepEquals(At(current, f), At(next, f))))
        {
            foreach (var owner in owners.Values)
            {
                owner.Remove(field);
            }
            if (after.Contains(field))
            {
                (owners.TryGetValue(key, out var mine) ? mine : owners[key] = []).Add(field);
            }
        }
        Write(next, owners);
    }

    private static Dictionary<(string Manager, string Operation), HashSet<string>> Owners(JsonObject? obj)
    {
        Dictionary<(string, string), HashSet<string>> owners = [];
        foreach (var entry in (obj?["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
        {
            HashSet<string> fields = [];
            if (entry["fieldsV1"] is JsonObject tree)
            {
                Collect(tree, "", fields);
            }
            owners[(entry["manager"]!.GetValue<string>(), entry["operation"]!.GetValue<string>())] = fields;
        }
        return owners;

        static void Collect(JsonObject tree, string prefix, HashSet<string> fields)
        {
            foreach (var (name, child) in tree)
            {
                var path = prefix + (prefix.Length == 0 ? "" : Separator.ToString()) + name[2..];
                if (child is JsonObject { Count: > 0 } inner)
                {
                    Collect(inner, path, fields);
                }
                else
                {
                    fields.Add(path);
                }
            }
        }
    }

    private static void Write(JsonObject obj, Dictionary<(string Manager, string Operation), HashSet<string>> owners)
    {
        var entries = new JsonArray();
        foreach (var ((manager, operation), fields) in owners.Where(o => o.Value.Count > 0).OrderBy(o => o.Key.Manager, StringComparer.Ordinal).ThenBy(o => o.Key.Operation, StringComparer.Ordinal))
        {
            var tree = new JsonObject();
            foreach (var field in fields.Order(StringComparer.Ordinal))
            {
                var node = tree;
                foreach (var part in field.Split(Separator))
                {
                    node = node["f:" + part] as JsonObject ?? (JsonObject)(node["f:" + part] = new JsonObject());
                }
            }
            entries.Add(new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = operation,
                ["apiVersion"] = obj["apiVersion"]?.DeepClone(),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = tree,
            });
        }
        if (entries.Count > 0)
        {
            Meta(obj)["managedFields"] = entries;
        }
        else
        {
            Meta(obj).Remove("managedFields");
        }
    }

    /// <summary>The paths of an object's fields: objects are walked, anything else (lists too) is one field.</summary>
    private static HashSet<string> Leaves(JsonObject obj)
    {
        HashSet<string> found = [];
        Walk(obj, "", found);
        return found;

        static void Walk(JsonObject node, string prefix, HashSet<string> found)
        {
            foreach (var (name, child) in node)
            {
                if (child is null
                    || (prefix.Length == 0 && name is "apiVersion" or "kind" or "status")
                    || (prefix == "metadata" && SystemMetadata.Contains(name)))
                {
                    continue;
                }
                var path = prefix + (prefix.Length == 0 ? "" : Separator.ToString()) + name;
                if (child is JsonObject { Count: > 0 } inner)
                {
                    Walk(inner, path, found);
                }
                else
                {
                    found.Add(path);
                }
            }
        }
    }

    private static JsonNode? At(JsonObject? obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split(Separator))
        {
            node = (node as JsonObject)?[part];
        }
        return node;
    }

    private static void Remove(JsonObject obj, string path)
    {
        var parts = path.Split(Separator);
        var parent = At(obj, string.Join(Separator, parts[..^1])) as JsonObject;
        if (parts.Length == 1)
        {
            parent = obj;
        }
        parent?.Remove(parts[^1]);
    }
}

using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Serialization;
using GoMicro.Operator.Resources;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Crd;

/// <summary>
/// Writes the GoMicroShop CRD from the C# types: every property with a JSON name becomes a
/// schema property; descriptions, ranges, lengths and patterns come from the attributes, and
/// defaults from the types' own initial values, so there is one place for each fact.
/// </summary>
public static class CustomResourceDefinitionBuilder
{
    public const string Name = GoMicroShop.Plural + "." + GoMicroShop.Group;

    public static V1CustomResourceDefinition Build() => new()
    {
        ApiVersion = "apiextensions.k8s.io/v1",
        Kind = "CustomResourceDefinition",
        Metadata = new V1ObjectMeta { Name = Name },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = GoMicroShop.Group,
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames
            {
                Kind = GoMicroShop.KindName,
                ListKind = GoMicroShop.KindName + "List",
                Plural = GoMicroShop.Plural,
                Singular = GoMicroShop.Singular,
                ShortNames = [GoMicroShop.ShortName],
                Categories = ["gomicro"],
            },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = GoMicroShop.Version,
                    Served = true,
                    Storage = true,
                    Subresources = new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
                    AdditionalPrinterColumns =
                    [
                        Column("Ready", "string", $".status.conditions[?(@.type==\"{ConditionTypes.Ready}\")].status", "Whether every part of the shop is ready."),
                        Column("Reason", "string", $".status.conditions[?(@.type==\"{ConditionTypes.Ready}\")].reason", "Why the shop is or is not ready."),
                        Column("Version", "string", ".spec.version", "Tag of the service images."),
                        Column("Gateway", "string", ".status.gateway", "In-cluster URL of the API gateway.", priority: 1),
                        Column("Age", "date", ".metadata.creationTimestamp", null),
                    ],
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = RootSchema() },
                },
            ],
        },
    };

    public static string ToYaml() =>
        "# Generated from operator/GoMicro.Operator/Crd by `dotnet run --project operator/GoMicro.Operator -- crd`. Do not edit.\n"
        + KubernetesYaml.Serialize(Build());

    private static V1CustomResourceColumnDefinition Column(string name, string type, string path, string? description, int? priority = null) =>
        new() { Name = name, Type = type, JsonPath = path, Description = description, Priority = priority };

    private static V1JSONSchemaProps RootSchema() => new()
    {
        Type = "object",
        Description = "A GoMicro shop: databases, broker, cache, the four services and the gateway, reconciled by the GoMicro operator.",
        Required = ["spec"],
        Properties = new Dictionary<string, V1JSONSchemaProps>
        {
            ["apiVersion"] = new() { Type = "string" },
            ["kind"] = new() { Type = "string" },
            ["metadata"] = new() { Type = "object" },
            ["spec"] = ObjectSchema(typeof(GoMicroShopSpec), "What the shop should be.", new GoMicroShopSpec()),
            ["status"] = ObjectSchema(typeof(GoMicroShopStatus), "What the operator last observed.", defaults: null),
        },
        XKubernetesValidations =
        [
            new V1ValidationRule
            {
                Rule = $"size(self.metadata.name) <= {ShopNames.MaxShopNameLength} && self.metadata.name.matches('{ShopNames.ShopNamePattern}')",
                Message = $"the name of a shop must start with a letter, hold only lower-case letters, digits and '-', and be at most {ShopNames.MaxShopNameLength} characters long: its children are named after it (<name>-payments-db is a StatefulSet, and a Service name must start with a letter)",
            },
            new V1ValidationRule
            {
                Rule = $"!has(self.spec.rabbitmq) || !has(self.spec.rabbitmq.provider) || self.spec.rabbitmq.provider != 'rabbitmq-cluster-operator' || size(self.metadata.name) <= {ProviderRules.MaxShopNameWithClusterOperator}",
                Message = $"with rabbitmq.provider rabbitmq-cluster-operator the name of a shop is at most {ProviderRules.MaxShopNameWithClusterOperator} characters long: the RabbitMQ cluster operator names its StatefulSet <name>-rabbitmq-server, and a StatefulSet's name must stay within 52 characters",
            },
        ],
    };

    /// <param name="defaults">
    /// The object whose values are the defaults of this schema's fields, or null for none. A
    /// field's default is the value its owner gives it (not the type's own initial value), so
    /// the same type can have different defaults in different places: each data store has its
    /// own image and resources, down to each single field of a block given in part.
    /// </param>
    private static V1JSONSchemaProps ObjectSchema(Type type, string? description, object? defaults)
    {
        var properties = JsonProperties(type).ToList();
        var required = properties.Where(p => p.GetCustomAttribute<RequiredAttribute>() is not null).Select(JsonName).ToList();
        var immutable = properties.Where(p => p.GetCustomAttribute<ImmutableAttribute>() is not null).Select(ImmutabilityRule)
            .Concat(type.GetCustomAttributes<CelRuleAttribute>(inherit: false).Select(r => new V1ValidationRule { Rule = r.Rule, Message = r.Message }))
            .ToList();
        return new V1JSONSchemaProps
        {
            Type = "object",
            Description = description,
            Required = required.Count > 0 ? required : null,
            Properties = properties.ToDictionary(JsonName, p => PropertySchema(p, defaults)),
            XKubernetesValidations = immutable.Count > 0 ? immutable : null,
        };
    }

    /// <summary>
    /// On the owning object, where oldSelf exists whenever the object existed before: a rule
    /// on the field itself would not run when the field is added or removed.
    /// </summary>
    private static V1ValidationRule ImmutabilityRule(PropertyInfo property)
    {
        var name = JsonName(property);
        return new V1ValidationRule
        {
            Rule = $"has(self.{name}) == has(oldSelf.{name}) && (!has(self.{name}) || self.{name} == oldSelf.{name})",
            Message = $"{name} cannot be added, changed or removed once set",
        };
    }

    private static V1JSONSchemaProps PropertySchema(PropertyInfo property, object? owner)
    {
        var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description;
        var value = owner is null ? null : property.GetValue(owner);
        var schema = TypeSchema(property.PropertyType, description, owner is null ? null : value ?? NewOrNull(property.PropertyType));
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema.Minimum = Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture);
            schema.Maximum = Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (property.GetCustomAttribute<MinLengthAttribute>() is { } min)
        {
            schema.MinLength = min.Length;
        }
        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } max)
        {
            schema.MaxLength = max.Length;
        }
        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern)
        {
            schema.Pattern = pattern.Pattern;
        }
        var rules = property.GetCustomAttributes<CelRuleAttribute>().Select(r => new V1ValidationRule { Rule = r.Rule, Message = r.Message }).ToList();
        if (rules.Count > 0)
        {
            schema.XKubernetesValidations = [.. schema.XKubernetesValidations ?? [], .. rules];
        }
        if (owner is not null && property.GetCustomAttribute<RequiredAttribute>() is null)
        {
            schema.DefaultProperty = DefaultOf(value);
        }
        return schema;
    }

    private static V1JSONSchemaProps TypeSchema(Type type, string? description, object? defaults)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new() { Type = "string", Description = description };
        }
        if (type == typeof(bool))
        {
            return new() { Type = "boolean", Description = description };
        }
        if (type == typeof(int) || type == typeof(long))
        {
            return new() { Type = "integer", Format = type == typeof(int) ? "int32" : "int64", Description = description };
        }
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new() { Type = "string", Format = "date-time", Description = description };
        }
        if (type.IsEnum)
        {
            return new() { Type = "string", Description = description, EnumProperty = [.. Enum.GetValues(type).Cast<Enum>().Select(EnumName)] };
        }
        if (type == typeof(Dictionary<string, string>))
        {
            // A map such as labels: any keys, string values.
            return new() { Type = "object", Description = description, AdditionalProperties = new V1JSONSchemaProps { Type = "string" } };
        }
        if (type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))
        {
            var item = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            return new() { Type = "array", Description = description, Items = TypeSchema(item, null, null) };
        }
        return ObjectSchema(type, description, defaults);
    }

    private static object? NewOrNull(Type type) =>
        type.IsClass && type != typeof(string) && type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;

    /// <summary>
    /// A scalar's value; for an object, an empty one, which the API server then fills from
    /// the defaults of its fields (it defaults top-down, into what it has just defaulted).
    /// </summary>
    private static object? DefaultOf(object? value) => value switch
    {
        null => null,
        string s => s.Length > 0 ? s : null,
        bool or int or long => value,
        Enum e => EnumName(e),
        IEnumerable => null,
        _ => new Dictionary<string, object>(),
    };

    /// <summary>A value as JSON spells it: its JsonStringEnumMemberName (cloudnative-pg), else its C# name.</summary>
    public static string EnumName(Enum value) =>
        value.GetType().GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? value.ToString();

    /// <summary>In declaration order, a base class's properties first, so the order never depends on how the compiler ordered the files.</summary>
    private static IEnumerable<PropertyInfo> JsonProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null)
            .OrderBy(p => Depth(p.DeclaringType!))
            .ThenBy(p => p.MetadataToken);

    private static int Depth(Type type) => type.BaseType is null ? 0 : 1 + Depth(type.BaseType);

    private static string JsonName(PropertyInfo property) => property.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name;
}

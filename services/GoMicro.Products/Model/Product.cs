namespace GoMicro.Products.Model;

public sealed class Product
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    public string Category { get; set; } = "";

    /// <summary>Minor units (cents); never floating point.</summary>
    public long PriceCents { get; set; }

    /// <summary>ISO 4217, upper case.</summary>
    public required string Currency { get; set; }

    /// <summary>Never negative (a check constraint says so too).</summary>
    public int Stock { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Deleted products stay for the history of payments but are invisible to the API.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Grows by one with every change (stock included); carried by product events so consumers can ignore older ones.</summary>
    public long Revision { get; set; } = 1;

    /// <summary>PostgreSQL's xmin: changes on every write, the optimistic-concurrency token.</summary>
    public uint Version { get; set; }

    public bool Available => Stock > 0;

    /// <summary>Records a change made at <paramref name="now"/>.</summary>
    public void Changed(DateTimeOffset now)
    {
        Revision++;
        UpdatedAt = now;
    }
}

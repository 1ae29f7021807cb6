namespace GoMicro.LoadGen;

/// <summary>One load run, as the command line describes it (see <see cref="LoadCommandLine"/>).</summary>
public sealed record LoadOptions
{
    public required Uri Users { get; init; }
    public required Uri Products { get; init; }
    public required Uri Basket { get; init; }
    public required Uri Payments { get; init; }
    public string Scenario { get; init; } = ScenarioNames.Mixed;

    /// <summary>Closed loop: concurrent shoppers. Open loop: the most steps in flight (each shopper does one at a time).</summary>
    public int Shoppers { get; init; } = 16;

    /// <summary>Open loop: steps started per second on a fixed timetable; 0 means closed loop.</summary>
    public double Rate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;
    public int MaxRequests { get; init; } = 20_000;
    public string AdminEmail { get; init; } = "admin@gomicro.local";
    public string AdminPassword { get; init; } = "admin-password-1";
    public int CatalogSize { get; init; } = 20;
    public int Stock { get; init; } = 1_000_000;

    /// <summary>No seeding, no accounts: for a target without users or auth (tools/GoMicro.Ceiling).</summary>
    public bool NoSetup { get; init; }

    public string? JsonFile { get; init; }

    /// <summary>The live line on stderr: null means only when stderr is a terminal.</summary>
    public bool? Progress { get; init; }

    public bool OpenLoop => Rate > 0;
}
